// Use case: scan the tenant through Resource Graph, evaluate the catalog subscription by subscription, store the
// delta. Its stages, in order: list subscriptions, index references, stream rows by subscription and evaluate
// (evaluate-tenant), reconcile each subscription, record the scan — all under a lease that, once lost, stops it.
import { randomUUID } from 'node:crypto';
import { emptyCounts } from '../core/lifecycle.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { MissingProperties } from '../core/notices.js';
import { evaluateTenant, type TenantEvaluationDeps } from './evaluate-tenant.js';
import {
  type ExemptionStore,
  type FindingStore,
  type ScopeFilter,
  type Logger,
  type ResourceSource,
  type ScanRecord,
  type ScanTrigger,
  type Scope,
  type SubscriptionLister,
  type SubscriptionRecord,
} from './ports.js';
import { RefusedRecipients } from './refused-recipients.js';
import { repairAbandonedScans } from './scan/abandoned.js';
import { LeaseGuard } from './scan/lease-guard.js';
import { subscriptionReconciler } from './scan/reconcile-subscription.js';
import { recordSubscriptions, statsSince, statusSummary, withRecent } from './scan/record-scan.js';
import { describe } from './scan/state.js';
import { progressOf } from '../core/progress.js';

export interface RunScanDeps {
  readonly source: ResourceSource;
  /** Lists a tenant or management group past Resource Graph's 10,000-subscription cap (ARM); see ListingInput. */
  readonly lister?: SubscriptionLister;
  /** How many query chains a stage runs at once (all under the source's one pacer). */
  readonly chains?: number;
  readonly store: FindingStore;
  readonly rules: readonly Rule[];
  readonly log: Logger;
  readonly clock: () => Date;
  readonly thresholds?: UrgencyThresholds;
  readonly leaseSeconds?: number;
  /** Parts of the tenant left out of the scan: their stored findings are left as they are. */
  readonly filter?: ScopeFilter;
  /** Accepted findings: still evaluated and stored, counted apart, left out of digests. */
  readonly exemptions?: Pick<ExemptionStore, 'listExemptions'>;
  /** How owners are found: tag names, and who gets findings nobody owns. */
  readonly owners?: {
    readonly tagNames: readonly string[];
    readonly defaultRecipients: readonly string[];
    /** Only addresses in these domains are owners (EMAIL_ALLOWED_DOMAINS); undefined: no restriction. */
    readonly allowedDomains?: readonly string[] | undefined;
  };
  /** The largest share of previously scanned subscriptions that may vanish before the scan keeps their findings. */
  readonly coverageDropFraction?: number;
  /** Resolved findings older than this are pruned when their subscription is scanned. */
  readonly retentionDays?: number;
  readonly newId?: () => string;
  /** Attempts at the final write of the scan record (default 4, backing off from `retryBaseMs`). */
  readonly finalWriteAttempts?: number;
  readonly retryBaseMs?: number;
  /** How often the lease is renewed (default a third of the lease). */
  readonly renewEveryMs?: number;
  /**
   * How often a running scan records its progress in its scan record (default 30 s: each record is a Table write,
   * and an unchanged rescan should cost little more than one write a subscription; every 5 s was 17 writes in a
   * 90-second scan).
   */
  readonly progressEveryMs?: number;
}

export interface RunScanInput {
  readonly scope: Scope;
  readonly trigger: ScanTrigger;
  readonly signal?: AbortSignal;
  /** Called with the scan id once the lease is held (before the scan runs). */
  readonly onStarted?: (scanId: string) => void;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

export async function runScan(deps: RunScanDeps, input: RunScanInput): Promise<ScanRecord> {
  const scanId =
    deps.newId?.() ??
    `scan-${deps.clock().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const startedAt = deps.clock();
  const leaseSeconds = deps.leaseSeconds ?? 900;
  const lease = await deps.store.acquireLease(scanId, leaseSeconds, startedAt);
  input.onStarted?.(scanId);
  const log: Log = (message, fields = {}) => deps.log.info(message, { scanId, ...fields });
  const guard = new LeaseGuard(lease, deps.clock, (message, fields = {}) =>
    deps.log.warn(message, { scanId, ...fields }),
  );
  guard.start(deps.renewEveryMs ?? Math.max(10, Math.floor(leaseSeconds / 3)) * 1000);
  const store = guard.guard(deps.store);
  const signal = input.signal ? AbortSignal.any([input.signal, guard.signal]) : guard.signal;
  const statsBefore = deps.source.stats();
  const base = runningRecord(scanId, input.trigger, startedAt);
  let record: ScanRecord = base;
  try {
    // We hold the lease: any other scan still marked running died without recording its end.
    await repairAbandonedScans(store, startedAt, scanId).catch((error: unknown) =>
      log('abandoned scans not repaired', { error: describe(error) }),
    );
    await store.writeScan(base);
    log('scan started', { trigger: input.trigger, scope: input.scope.kind });
    record = await scan({ ...deps, store }, { ...input, signal }, base, log, statsBefore);
  } catch (error) {
    record = {
      ...record,
      status: 'failed',
      endedAt: deps.clock().toISOString(),
      error: describe(error),
      source: statsSince(deps.source.stats(), statsBefore),
    };
  } finally {
    guard.stop();
  }
  // A lost lease overrides whatever the scan thought: it stopped writing, and says why.
  const lost = guard.lost;
  if (lost && record.status !== 'failed')
    record = { ...record, status: 'failed', error: lost, endedAt: deps.clock().toISOString() };
  else if (lost && !record.error?.startsWith('lease lost')) record = { ...record, error: lost };
  // The scan's own record, written even after a lost lease (it is nobody else's), with retries:
  // a scan never stays `running` because one write failed.
  await writeFinal(deps, record, log);
  if (record.status === 'failed' && !lost) await noteFailure(deps.store, record, log);
  log('scan ended', {
    status: record.status,
    subscriptions: record.subscriptions,
    resources: record.resources,
    findings: record.counts.open,
    new: record.counts.new,
    resolved: record.counts.resolved,
    incomplete: record.incompleteTotal,
    ruleErrors: record.ruleErrors,
    ...(record.error ? { error: record.error } : {}),
    ...record.source,
  });
  await lease
    .release()
    .catch((error: unknown) =>
      deps.log.warn('lease release failed', { scanId, error: describe(error) }),
    );
  return record;
}

/** A scan that failed before writing the status summary still counts toward "scans are failing". */
async function noteFailure(store: FindingStore, record: ScanRecord, log: Log): Promise<void> {
  try {
    const summary = await store.readStatus();
    if (summary?.recentScans?.some((s) => s.id === record.id)) return;
    if (summary) await store.writeStatus({ ...summary, recentScans: withRecent(summary, record) });
  } catch (error) {
    log('failed scan not added to the status', { error: describe(error) });
  }
}

async function writeFinal(deps: RunScanDeps, record: ScanRecord, log: Log): Promise<void> {
  const attempts = deps.finalWriteAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.store.writeScan(record);
      return;
    } catch (error) {
      if (attempt >= attempts) {
        // Left `running`: the next scan or status read marks it failed once its lease has expired.
        log('scan record not written', { error: describe(error), attempts });
        return;
      }
      await new Promise((r) => setTimeout(r, (deps.retryBaseMs ?? 500) * 2 ** (attempt - 1)));
    }
  }
}

async function scan(
  deps: RunScanDeps,
  input: RunScanInput,
  base: ScanRecord,
  log: Log,
  statsBefore: ReturnType<ResourceSource['stats']>,
): Promise<ScanRecord> {
  const { source, store } = deps;
  // One clock reading for the whole scan: urgency, firstSeen and resolvedAt all say "as of this scan".
  const now = new Date(base.startedAt);
  const previous = new Map((await store.loadSubscriptions()).map((r) => [r.subscriptionId, r]));
  const previousStatus = await store.readStatus();
  const refused = new RefusedRecipients();
  const reconciler = await reconcilerOf(deps, store, base.id, now, previous, refused);
  // Rows without properties decide nothing but type-based rules: the scan says so once.
  const missing = new MissingProperties(deps.rules);
  // Progress, recorded in the scan record while it runs (the status API shows it as lastScan.progress).
  const progress = { done: 0, total: 0, batches: 0 };
  let progressWrite: Promise<void> = Promise.resolve();
  const recordProgress = () => {
    const stats = statsSince(source.stats(), statsBefore);
    const figures = progressOf(
      {
        subscriptionsDone: progress.done,
        subscriptionsTotal: progress.total,
        batchesDone: 0,
        batchesTotal: progress.batches,
        pages: stats.pages,
        rows: stats.rows,
        waitedMs: stats.waitedMs,
      },
      base.startedAt,
      deps.clock(),
    );
    progressWrite = progressWrite
      .then(() => store.writeScan({ ...base, progress: figures }))
      .catch((error: unknown) => log('progress not recorded', { error: describe(error) }));
  };
  const ticker = setInterval(recordProgress, deps.progressEveryMs ?? 30_000);
  ticker.unref();
  // Stages 1–3 (list, index, stream and evaluate), stage 4 (reconcile) as each subscription completes.
  let evaluation: Awaited<ReturnType<typeof evaluateTenant>>;
  try {
    evaluation = await evaluateTenant(
      {
        ...tenantDepsOf(deps, previous, now, log),
        onListed: (subscriptions, batches) => {
          progress.total = subscriptions;
          progress.batches = batches;
        },
      },
      input.scope,
      // Every argument passes through: the sink's signature grows with the stages.
      async (...args: Parameters<typeof reconciler.sink>) => {
        missing.add(args[2]);
        await reconciler.sink(...args);
        progress.done++;
      },
      input.signal,
    );
  } finally {
    clearInterval(ticker);
    // A progress write never lands after the record's final write.
    await progressWrite;
  }
  const notice = missing.notice('resource-graph');
  if (notice) log('rows without properties', { ...notice });
  // Stage 5: the records and the status summary.
  const { record, totals, records } = await recordSubscriptions(store, {
    base,
    evaluation,
    outcomes: reconciler.outcomes,
    previous,
    endedAt: () => deps.clock().toISOString(),
    source: statsSince(source.stats(), statsBefore),
  });
  for (const e of evaluation.ruleErrors.slice(0, 20))
    log('rule error', { ruleId: e.ruleId, resourceId: e.resourceId, error: e.message });
  await store.writeStatus({
    ...statusSummary(
      deps.rules,
      record,
      totals,
      records,
      previousStatus,
      evaluation.dataRetirements,
    ),
    ...refused.summary(),
  });
  await store
    .recordTrend({
      day: base.startedAt.slice(0, 10),
      scans: 1,
      open: totals.open,
      bySeverity: totals.bySeverity,
      new: record.counts.new,
      resolved: record.counts.resolved,
      lastStatus: record.status,
    })
    .catch((error: unknown) => log('trend not recorded', { error: describe(error) }));
  return record;
}

/** A scan record as it starts: running, nothing counted yet. */
export function runningRecord(id: string, trigger: ScanTrigger, startedAt: Date): ScanRecord {
  return {
    id,
    trigger,
    startedAt: startedAt.toISOString(),
    status: 'running',
    subscriptions: 0,
    subscriptionsComplete: 0,
    resources: 0,
    counts: emptyCounts(),
    incomplete: [],
    incompleteTotal: 0,
    ruleErrors: 0,
  };
}

/** What the tenant stages need of a scan's deps, as of `now`, knowing the previous subscription records. */
export function tenantDepsOf(
  deps: RunScanDeps,
  previous: ReadonlyMap<string, SubscriptionRecord>,
  now: Date,
  log: Log,
): TenantEvaluationDeps {
  const ownerTag = new Set((deps.owners?.tagNames ?? []).map((n) => n.toLowerCase()));
  return {
    source: deps.source,
    ...(deps.lister ? { lister: deps.lister } : {}),
    ...(deps.chains ? { chains: deps.chains } : {}),
    rules: deps.rules,
    now,
    thresholds: deps.thresholds,
    log,
    knownNames: new Map([...previous].map(([id, r]) => [id, r.displayName])),
    noticed: [...previous.values()].flatMap((r) => r.noticed ?? []),
    keepTag: (name) => ownerTag.has(name.toLowerCase()),
    ...(deps.filter ? { filter: deps.filter } : {}),
    coverage: {
      previous: new Set(
        [...previous.values()].filter((r) => r.lastCompleteScanId).map((r) => r.subscriptionId),
      ),
      maxDropFraction: deps.coverageDropFraction ?? 0.2,
    },
  };
}

/** The per-subscription reconciler of a scan, with the contacts and exemptions as the store has them now. */
export async function reconcilerOf(
  deps: RunScanDeps,
  store: FindingStore,
  scanId: string,
  now: Date,
  previous: ReadonlyMap<string, SubscriptionRecord>,
  refused: RefusedRecipients,
): Promise<ReturnType<typeof subscriptionReconciler>> {
  return subscriptionReconciler({
    refused,
    store,
    scanId,
    now,
    previous,
    contacts: await store.loadContacts(),
    exemptions: deps.exemptions ? await deps.exemptions.listExemptions() : [],
    filter: deps.filter,
    owners: deps.owners,
    retentionDays: deps.retentionDays ?? 180,
  });
}
