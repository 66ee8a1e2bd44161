// How far a scan has come, and the line a person watching it reads. Pure: the clock is an input.

/** How far a scan has come: what a person watching a long scan reads. */
export interface ScanProgress {
  readonly subscriptionsDone: number;
  readonly subscriptionsTotal: number;
  /** Batches reported of the scan's plan (a scan run in one process counts its request batches). */
  readonly batchesDone: number;
  readonly batchesTotal: number;
  /** Resource Graph pages and rows read so far, and the time spent waiting on the quota. */
  readonly pages: number;
  readonly rows: number;
  readonly waitedMs: number;
  readonly updatedAt: string;
  /** Seconds left at the pace so far; absent until a subscription is done. */
  readonly etaSeconds?: number | undefined;
}

export type ProgressCounts = Omit<ScanProgress, 'updatedAt' | 'etaSeconds'>;

/** The progress at `now` of a scan started at `startedAt`: the time left assumes the pace so far holds. */
export function progressOf(counts: ProgressCounts, startedAt: string, now: Date): ScanProgress {
  const elapsed = Math.max(0, now.getTime() - Date.parse(startedAt)) / 1000;
  const { subscriptionsDone: done, subscriptionsTotal: total } = counts;
  const eta = done > 0 && total >= done ? Math.round((elapsed * (total - done)) / done) : undefined;
  return {
    ...counts,
    updatedAt: now.toISOString(),
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
  };
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One line, e.g. `120/2,000 subscriptions · 14 pages · 13,200 rows · waited 4 s on the quota · about 3 min left`. */
export function formatProgress(p: ScanProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `${n(p.subscriptionsDone)}/${n(p.subscriptionsTotal)} subscriptions`,
    `${n(p.pages)} pages`,
    `${n(p.rows)} rows`,
    `waited ${duration(p.waitedMs / 1000)} on the quota`,
    p.etaSeconds !== undefined ? `about ${duration(p.etaSeconds)} left` : 'estimating time left',
  ].join(' · ');
}
