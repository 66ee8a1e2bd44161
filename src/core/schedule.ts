// Schedules (NCRONTAB with seconds, UTC): how long one interval is, and so when a scanner counts as stale.
import { Cron } from 'croner';

const intervals = new Map<string, number>();

/**
 * The longest gap between consecutive runs around `now` (irregular schedules count their widest gap).
 * Cached per schedule: parsing a cron expression on every status request would dominate its cost.
 */
export function scheduleIntervalMs(schedule: string, now: Date): number {
  const cached = intervals.get(schedule);
  if (cached !== undefined) return cached;
  const value = widestGap(schedule, now);
  if (intervals.size > 100) intervals.clear();
  intervals.set(schedule, value);
  return value;
}

function widestGap(schedule: string, now: Date): number {
  const cron = new Cron(schedule, { timezone: 'UTC', paused: true });
  // Runs over the next few occurrences from a day back give the gap that matters for "late".
  const from = new Date(now.getTime() - 86_400_000);
  const runs = cron.nextRuns(8, from).map((d) => d.getTime());
  let widest = 0;
  for (let i = 1; i < runs.length; i++)
    widest = Math.max(widest, (runs[i] ?? 0) - (runs[i - 1] ?? 0));
  return widest > 0 ? widest : 86_400_000;
}

export interface Freshness {
  readonly lastSucceededAt: string | null;
  readonly ageSeconds: number | null;
  /** Stale past two schedule intervals without a succeeded scan. */
  readonly staleAfterSeconds: number;
  readonly stale: boolean;
}

export function freshnessOf(
  lastSucceededAt: string | undefined,
  schedule: string,
  now: Date,
): Freshness {
  const staleAfterSeconds = Math.round((2 * scheduleIntervalMs(schedule, now)) / 1000);
  if (!lastSucceededAt)
    return { lastSucceededAt: null, ageSeconds: null, staleAfterSeconds, stale: true };
  const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(lastSucceededAt)) / 1000));
  return { lastSucceededAt, ageSeconds, staleAfterSeconds, stale: ageSeconds > staleAfterSeconds };
}
