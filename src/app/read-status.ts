// Use case: the tenant's readiness status, from the O(1) summary, with deadline urgency computed from `now`.
import {
  URGENCIES,
  urgencyOf,
  DEFAULT_THRESHOLDS,
  type Urgency,
  type UrgencyThresholds,
} from '../core/urgency.js';
import { emptyCounts, type Counts } from '../core/lifecycle.js';
import { freshnessOf, type Freshness } from '../core/schedule.js';

const DEFAULT_SCHEDULE = '0 0 */6 * * *';
import type {
  FindingStore,
  RefusedRecipient,
  ScanRecord,
  StatusSummary,
  SubscriptionRecord,
} from './ports.js';

export interface DeadlineView {
  readonly byUrgency: Record<Urgency, number>;
  /** Retirements with open findings, their urgency now, and (when known) their service, title and link. */
  readonly rules: readonly (StatusSummary['deadlines'][number] & { urgency: Urgency })[];
}

export interface StatusView {
  readonly generatedAt: string;
  readonly lastScan: Omit<ScanRecord, 'counts'> | null;
  /** Open findings; `exempted` ones (accepted until a date) are counted apart and not in the others. */
  readonly findings: Pick<Counts, 'open' | 'bySeverity' | 'byRule'> & { readonly exempted: number };
  readonly deadlines: DeadlineView;
  readonly changes: {
    readonly previousScanId: string | null;
    readonly new: number;
    readonly resolved: number;
    readonly reopened: number;
  };
  readonly lastSucceededAt: string | null;
  /** How old the last succeeded scan is, and whether that is stale for the schedule. */
  readonly freshness: Freshness;
  /** Addresses tags named that are not mailed (outside EMAIL_ALLOWED_DOMAINS, or too many in one tag), and where. */
  readonly refusedRecipients?: readonly RefusedRecipient[];
  readonly refusedRecipientsTotal?: number;
}

export function deadlineView(
  deadlines: StatusSummary['deadlines'],
  now: Date,
  thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS,
): DeadlineView {
  const byUrgency = Object.fromEntries(URGENCIES.map((u) => [u, 0])) as Record<Urgency, number>;
  const rules = deadlines.map((d) => {
    const urgency = urgencyOf(d.deadline, now, thresholds);
    byUrgency[urgency] += d.count;
    return { ...d, urgency };
  });
  return { byUrgency, rules };
}

export function statusView(
  summary: StatusSummary | undefined,
  now: Date,
  thresholds?: UrgencyThresholds,
  schedule: string = DEFAULT_SCHEDULE,
): StatusView {
  const freshness = freshnessOf(summary?.lastSucceededAt, schedule, now);
  if (!summary) {
    return {
      generatedAt: now.toISOString(),
      lastScan: null,
      findings: {
        open: 0,
        exempted: 0,
        bySeverity: { blocker: 0, warning: 0, info: 0 },
        byRule: {},
      },
      deadlines: deadlineView([], now, thresholds),
      changes: { previousScanId: null, new: 0, resolved: 0, reopened: 0 },
      lastSucceededAt: null,
      freshness,
    };
  }
  const { generatedAt, fixed } = statusViewParts(summary, now, thresholds);
  return { generatedAt, ...fixed, freshness };
}

/** What a status view holds besides the clock's own fields (`generatedAt`, `freshness`). */
export type FixedStatusView = Omit<StatusView, 'generatedAt' | 'freshness'>;

/**
 * A summary's status view without its freshness, in two parts: `generatedAt`, and everything else, which changes
 * only with the summary or the UTC day (urgency is per day) — computed once per summary and day, and the same
 * object for every request meanwhile (so a caller may cache what it derives from it, such as its JSON).
 */
export function statusViewParts(
  summary: StatusSummary,
  now: Date,
  thresholds?: UrgencyThresholds,
): { readonly generatedAt: string; readonly fixed: FixedStatusView } {
  const generatedAt = now.toISOString();
  const day = generatedAt.slice(0, 10);
  let cached = views.get(summary);
  if (cached?.day !== day || cached.thresholds !== thresholds) {
    cached = { day, thresholds, view: summaryView(summary, now, thresholds) };
    views.set(summary, cached);
  }
  return { generatedAt, fixed: cached.view };
}

const views = new WeakMap<
  StatusSummary,
  { day: string; thresholds: UrgencyThresholds | undefined; view: FixedStatusView }
>();

function summaryView(
  summary: StatusSummary,
  now: Date,
  thresholds: UrgencyThresholds | undefined,
): FixedStatusView {
  // A scan running now is the last scan, with its progress; the findings are the last ended scan's.
  const { counts: _counts, ...lastScan } = summary.running ?? summary.lastScan;
  const byRule = Object.fromEntries(
    Object.entries(summary.totals.byRule).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return {
    lastScan,
    findings: {
      open: summary.totals.open,
      exempted: summary.totals.exempted ?? 0,
      bySeverity: summary.totals.bySeverity,
      byRule,
    },
    deadlines: deadlineView(summary.deadlines, now, thresholds),
    changes: {
      previousScanId: summary.previousScanId ?? null,
      new: summary.totals.new,
      resolved: summary.totals.resolved,
      reopened: summary.totals.reopened,
    },
    lastSucceededAt: summary.lastSucceededAt ?? null,
    refusedRecipients: summary.refusedRecipients ?? [],
    refusedRecipientsTotal: summary.refusedRecipientsTotal ?? 0,
  };
}

export async function readStatus(
  store: FindingStore,
  now: Date,
  thresholds?: UrgencyThresholds,
  schedule?: string,
): Promise<StatusView> {
  return statusView(await store.readStatus(), now, thresholds, schedule);
}

export interface HealthView {
  readonly status: 'ok' | 'degraded';
  readonly reasons: readonly string[];
  readonly lastScan: { id: string; status: string; endedAt: string | null } | null;
  readonly freshness: Freshness;
}

/** Liveness plus the two things an operator must not miss: no recent success, or repeated failures. */
export function healthView(
  summary: StatusSummary | undefined,
  now: Date,
  schedule: string = DEFAULT_SCHEDULE,
): HealthView {
  const freshness = freshnessOf(summary?.lastSucceededAt, schedule, now);
  const reasons: string[] = [];
  if (!summary) reasons.push('no scan has completed yet');
  else if (freshness.stale) {
    reasons.push(
      freshness.lastSucceededAt
        ? `stale: the last succeeded scan ended ${Math.round((freshness.ageSeconds ?? 0) / 3600)} h ago (more than two schedule intervals)`
        : 'stale: no scan has succeeded yet',
    );
  }
  const recent = summary?.recentScans ?? [];
  if (recent.length >= 2 && recent[0]?.status === 'failed' && recent[1]?.status === 'failed') {
    reasons.push(`the last two scans failed: ${recent[0].reason ?? 'see the scan records'}`);
  }
  return {
    status: reasons.length > 0 ? 'degraded' : 'ok',
    reasons,
    lastScan: summary
      ? {
          id: summary.lastScan.id,
          status: summary.lastScan.status,
          endedAt: summary.lastScan.endedAt ?? null,
        }
      : null,
    freshness,
  };
}

export interface SubscriptionStatusView {
  readonly generatedAt: string;
  readonly subscription: Omit<SubscriptionRecord, 'counts'>;
  readonly findings: Pick<Counts, 'open' | 'bySeverity' | 'byRule'>;
  readonly changes: Pick<Counts, 'new' | 'resolved' | 'reopened'>;
}

export async function readSubscriptionStatus(
  store: FindingStore,
  subscriptionId: string,
  now: Date,
): Promise<SubscriptionStatusView | undefined> {
  const record = await store.readSubscription(subscriptionId);
  if (!record) return undefined;
  const { counts, ...subscription } = record;
  return {
    generatedAt: now.toISOString(),
    subscription,
    findings: { open: counts.open, bySeverity: counts.bySeverity, byRule: counts.byRule },
    changes: { new: counts.new, resolved: counts.resolved, reopened: counts.reopened },
  };
}

/**
 * The summary entity read at most once per `ttlMs`, and once for any number of concurrent callers:
 * a status endpoint under load costs one storage read per interval, whatever the request rate.
 */
export function cachedSummary(
  store: Pick<FindingStore, 'readStatus'>,
  ttlMs: number,
  clock: () => number = Date.now,
  /** Run before a read, at most once a minute (repairs scans that died while `running`). */
  repair?: () => Promise<unknown>,
  /** The scan running now, if any (its record, with its progress). */
  runningScan?: () => Promise<ScanRecord | undefined>,
  /**
   * Past `ttlMs`, how much longer the summary at hand still answers while the next read is under way (callers do
   * not wait on the store meanwhile); past that, callers wait for the read and see its failure. 0: always wait.
   */
  staleMs = 0,
): () => Promise<StatusSummary | undefined> {
  let value: StatusSummary | undefined;
  let readAt = -Infinity;
  let repairedAt = -Infinity;
  let inFlight: Promise<StatusSummary | undefined> | undefined;
  const read = async () => {
    if (repair && clock() - repairedAt >= REPAIR_EVERY_MS) {
      repairedAt = clock();
      // A failed repair never fails the status read: the next one tries again.
      await repair().catch(() => undefined);
    }
    const [summary, running] = await Promise.all([
      store.readStatus(),
      runningScan ? runningScan().catch(() => undefined) : undefined,
    ]);
    return withRunning(summary, running);
  };
  return () => {
    const age = clock() - readAt;
    if (age < ttlMs) return Promise.resolve(value);
    if (!inFlight) {
      inFlight = read()
        .then((summary) => {
          value = summary;
          readAt = clock();
          return summary;
        })
        .finally(() => {
          inFlight = undefined;
        });
      // Its failure reaches those who wait for it; a caller answered from the summary at hand does not.
      inFlight.catch(() => undefined);
    }
    return age < ttlMs + staleMs ? Promise.resolve(value) : inFlight;
  };
}

const REPAIR_EVERY_MS = 60_000;

/** The newest scan record when it is still running. */
export async function runningScanOf(
  store: Pick<FindingStore, 'listScans'>,
): Promise<ScanRecord | undefined> {
  const [newest] = await store.listScans(1);
  return newest?.status === 'running' ? newest : undefined;
}

/** A summary that also knows the scan running now (a new object: views are cached per summary object). */
function withRunning(
  summary: StatusSummary | undefined,
  running: ScanRecord | undefined,
): StatusSummary | undefined {
  if (!running || running.id === summary?.lastScan.id) return summary;
  // The first scan ever: nothing stored yet but the running scan itself.
  return summary
    ? { ...summary, running }
    : { lastScan: running, totals: emptyCounts(), deadlines: [], recentScans: [], running };
}
