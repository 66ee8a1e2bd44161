// A scan as a plan of batches on a queue. The planner (timer, POST /api/scans) takes the scan lease, writes the scan
// record, lists the scope, indexes the references and reads the retirement sources once, stores what the batches need
// and enqueues one message per batch. A queue-triggered worker scans one batch — streams its subscriptions' rows,
// evaluates and reconciles them with the same stages as a scan in one process — and reports to the ledger; the report
// that completes the ledger closes the scan (records, status, trend). Batches are idempotent: the ledger counts a
// batch once, and a batch redone after a crash reconciles what it already wrote without counting it again.
import { randomUUID } from 'node:crypto';
import type { RuleError } from '../core/engine.js';
import type { Finding } from '../core/finding.js';
import { MissingProperties } from '../core/notices.js';
import { progressOf, type ScanProgress } from '../core/progress.js';
import type { ResourceRow } from '../core/resource.js';
import { buildScanIndex } from '../core/scan-index.js';
import type { DataRetirement } from '../rules/retirement/data-retirements.js';
import { prepareTenant, type TenantEvaluation } from './evaluate-tenant.js';
import {
  LeaseLostError,
  type BatchMessage,
  type BatchQueue,
  type FindingStore,
  type GraphQuery,
  type LedgerState,
  type RefusedRecipient,
  type RetirementSourceOutcome,
  type ScanLedger,
  type ScanRecord,
  type ScanTrigger,
  type Scope,
  type SourceStats,
} from './ports.js';
import { RefusedRecipients } from './refused-recipients.js';
import { reconcilerOf, runningRecord, tenantDepsOf, type RunScanDeps } from './run-scan.js';
import { repairAbandonedScans } from './scan/abandoned.js';
import { LeaseGuard } from './scan/lease-guard.js';
import { retirementScope, type RetirementFreeze } from './scan/read-retirements.js';
import { type SubscriptionOutcomeFacts } from './scan/reconcile-subscription.js';
import { recordSubscriptions, statsSince, statusSummary, withRecent } from './scan/record-scan.js';
import { describe, SubscriptionStates, type SubscriptionState } from './scan/state.js';
import { streamSubscriptions } from './scan/stream-subscriptions.js';

export interface BatchScanDeps extends RunScanDeps {
  readonly queue: BatchQueue;
  readonly ledger: ScanLedger;
  /**
   * A closing claimed this long ago by a worker that has not finished may be taken over (default 2 minutes: closing
   * reads the batches' results and writes the records; a live closer's message stays invisible while it works).
   */
  readonly closeStaleMs?: number;
}

type Entries<T> = [string, T][];

/** What the closer needs besides the batches' results. */
interface PlanDocument {
  readonly record: ScanRecord;
  readonly batches: number;
  /** Subscriptions in no batch: failed or vanished at listing, or reconciled as empty by the planner. */
  readonly outside: Entries<SubscriptionState>;
  readonly outsideOutcomes: Entries<SubscriptionOutcomeFacts>;
  readonly fatal?: string | undefined;
  readonly coverageReason?: string | undefined;
  readonly vanished: number;
  readonly limited?: string | undefined;
  readonly retirements?: {
    readonly sources: RetirementSourceOutcome[];
    readonly notEvaluated: { ruleId: string; reason: string }[];
    readonly retirements: DataRetirement[];
  };
  readonly refused: RefusedRecipient[];
  readonly source: SourceStats;
}

/** What every batch reads. */
interface SharedDocument {
  readonly references: ResourceRow[];
  readonly targets: GraphQuery[];
  readonly freeze?: RetirementFreeze | undefined;
}

/** What one batch reads: its subscriptions' states, their tags, their retirement findings. */
interface BatchContext {
  readonly states: Entries<SubscriptionState>;
  readonly containers: Entries<Readonly<Record<string, string>>>;
  readonly retirementFindings: Entries<Finding[]>;
  /** The own tags of the batch's resources that retirement sources name (lower-case id). */
  readonly retirementTags?: Entries<Readonly<Record<string, string>>>;
}

/** What one batch reports for the closer. */
interface BatchResult {
  readonly states: Entries<SubscriptionState>;
  readonly outcomes: Entries<SubscriptionOutcomeFacts>;
  readonly resources: number;
  readonly ruleErrors: number;
  readonly ruleErrorSamples: RuleError[];
  readonly refused: RefusedRecipient[];
  readonly source: SourceStats;
  readonly rowsWithoutProperties?: number;
}

const ZERO: SourceStats = { pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 };

function addStats(a: SourceStats, b: SourceStats): SourceStats {
  return {
    pages: a.pages + b.pages,
    rows: a.rows + b.rows,
    throttled429: a.throttled429 + b.throttled429,
    retries: a.retries + b.retries,
    waitedMs: a.waitedMs + b.waitedMs,
  };
}

function newScanId(deps: RunScanDeps): string {
  return (
    deps.newId?.() ??
    `scan-${deps.clock().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`
  );
}

const log =
  (deps: RunScanDeps, scanId: string) =>
  (message: string, fields: object = {}) =>
    deps.log.info(message, { scanId, ...fields });

/** Containers (subscription and group tags) of these subscriptions. */
function containersOf(
  containers: ReadonlyMap<string, Readonly<Record<string, string>>>,
  ids: readonly string[],
): Entries<Readonly<Record<string, string>>> {
  const wanted = new Set(ids.map((id) => `/subscriptions/${id.toLowerCase()}`));
  return [...containers].filter(([key]) => {
    const sub = /^\/subscriptions\/[^/]+/.exec(key)?.[0];
    return sub !== undefined && wanted.has(sub);
  });
}

export interface PlannedScan {
  readonly scanId: string;
  readonly batches: number;
  readonly record: ScanRecord;
}

/**
 * Plans a scan: lease, scan record, listing, references, retirement sources, then one message per batch. Throws
 * AlreadyRunningError while another scan holds the lease. The lease stays held: the batches renew it, the closer
 * releases it.
 */
export async function planScan(
  deps: BatchScanDeps,
  input: { scope: Scope; trigger: ScanTrigger; onStarted?: (scanId: string) => void },
): Promise<PlannedScan> {
  const scanId = newScanId(deps);
  const startedAt = deps.clock();
  const leaseSeconds = deps.leaseSeconds ?? 900;
  const lease = await deps.store.acquireLease(scanId, leaseSeconds, startedAt);
  const say = log(deps, scanId);
  const guard = new LeaseGuard(lease, deps.clock, (message, fields = {}) =>
    deps.log.warn(message, { scanId, ...fields }),
  );
  guard.start(deps.renewEveryMs ?? Math.max(10, Math.floor(leaseSeconds / 3)) * 1000);
  const store = guard.guard(deps.store);
  const statsBefore = deps.source.stats();
  let record: ScanRecord = runningRecord(scanId, input.trigger, startedAt);
  try {
    await repairAbandonedScans(store, startedAt, scanId).catch((error: unknown) =>
      say('abandoned scans not repaired', { error: describe(error) }),
    );
    // This planner holds the lease: a scan with plan documents left died before its close (its record was just
    // repaired, here or by a status read). Its documents go, so that `{prefix}Plans` holds only live scans.
    await deps.ledger
      .dropStaleDocuments(scanId)
      .then((dropped) => {
        if (dropped.length > 0) say('plan documents of ended scans removed', { scans: dropped });
      })
      .catch((error: unknown) =>
        say('plan documents of ended scans not removed', { error: describe(error) }),
      );
    await store.writeScan(record);
    input.onStarted?.(scanId);
    say('scan started', { trigger: input.trigger, scope: input.scope.kind, mode: 'queue' });
    const now = new Date(record.startedAt);
    const previous = new Map((await store.loadSubscriptions()).map((r) => [r.subscriptionId, r]));
    const prepared = await prepareTenant(
      tenantDepsOf(deps, previous, now, say),
      input.scope,
      guard.signal,
    );
    const { listing, retirements } = prepared;
    // The batches: explicit lists of the subscriptions the listing found (a tenant or management-group scope
    // is split too, so that each message is a bounded piece of work).
    const batchIds: string[][] = [];
    if (!prepared.fatal) {
      const listed = [...listing.states]
        .filter(([, s]) => s.outcome === 'unreached' && !s.vanished)
        .map(([id]) => id);
      const explicit = listing.batches.every((b) => b.kind === 'subscriptions');
      const scopes = explicit
        ? listing.batches
        : deps.source.batches({ kind: 'subscriptions', ids: [...listed].sort() });
      const seen = new Set(listed.map((id) => id.toLowerCase()));
      for (const scope of scopes) {
        if (scope.kind !== 'subscriptions') continue;
        const ids = scope.ids.filter((id) => seen.has(id.toLowerCase()));
        if (ids.length > 0) batchIds.push([...ids]);
      }
    }
    const inBatch = new Set(batchIds.flat());
    // Subscriptions the previous scan saw and the listing no longer shows, believed gone (a small drop): reconciled
    // as empty here, as a scan in one process does at the end of its batch.
    const refused = new RefusedRecipients();
    const reconciler = await reconcilerOf(deps, store, scanId, now, previous, refused);
    if (!prepared.fatal) {
      for (const [id, state] of listing.states) {
        if (inBatch.has(id) || state.outcome !== 'unreached' || state.vanished) continue;
        try {
          await reconciler.sink(id, [], [], listing.containers, new Set(), retirements);
          state.outcome = 'complete';
          delete state.reason;
        } catch (error) {
          state.outcome = 'failed';
          state.reason = `storing findings failed: ${describe(error)}`;
        }
      }
    }
    const outside = [...listing.states].filter(([id]) => !inBatch.has(id));
    record = {
      ...record,
      subscriptions: listing.states.size,
      progress: progressOf(
        {
          subscriptionsDone: 0,
          subscriptionsTotal: inBatch.size,
          batchesDone: 0,
          batchesTotal: batchIds.length,
          ...statsOf(statsSince(deps.source.stats(), statsBefore)),
        },
        record.startedAt,
        deps.clock(),
      ),
    };
    const shared: SharedDocument = {
      references: [...(prepared.references?.rows ?? [])],
      targets: [...prepared.targets],
      ...(retirements ? { freeze: retirements.freeze } : {}),
    };
    await deps.ledger.putDocument(scanId, 'shared', shared);
    for (const [i, ids] of batchIds.entries()) {
      const context: BatchContext = {
        states: ids.map((id) => [id, listing.states.of(id)]),
        containers: containersOf(listing.containers, ids),
        retirementFindings: ids.flatMap((id): Entries<Finding[]> => {
          const found = retirements?.bySubscription.get(id.toLowerCase());
          return found ? [[id.toLowerCase(), found]] : [];
        }),
        retirementTags: tagsIn(retirements?.tags, ids),
      };
      await deps.ledger.putDocument(scanId, `batch-${i}`, context);
    }
    const plan: PlanDocument = {
      record,
      batches: batchIds.length,
      outside,
      outsideOutcomes: [...reconciler.outcomes],
      fatal: prepared.fatal,
      coverageReason: listing.coverageReason,
      vanished: listing.vanished,
      limited: listing.limited,
      ...(retirements
        ? {
            retirements: {
              sources: retirements.sources,
              notEvaluated: retirements.notEvaluated,
              retirements: [...retirements.retirements],
            },
          }
        : {}),
      refused: refused.list(),
      source: statsSince(deps.source.stats(), statsBefore),
    };
    await deps.ledger.putDocument(scanId, 'plan', plan);
    await deps.ledger.openLedger(scanId, batchIds.length);
    await store.writeScan(record);
    if (guard.lost) throw new LeaseLostError(guard.lost);
    await deps.queue.enqueue(
      batchIds.map((ids, batch) => ({ scanId, batch, subscriptionIds: ids })),
    );
    say('scan planned', { batches: batchIds.length, subscriptions: inBatch.size });
  } catch (error) {
    guard.stop();
    const failed: ScanRecord = {
      ...record,
      status: 'failed',
      endedAt: deps.clock().toISOString(),
      error: guard.lost ?? `planning the scan failed: ${describe(error)}`,
      source: statsSince(deps.source.stats(), statsBefore),
    };
    await deps.store.writeScan(failed).catch(() => undefined);
    await noteFailure(deps.store, failed);
    say('scan ended', { status: 'failed', error: failed.error });
    await lease.release().catch(() => undefined);
    return { scanId, batches: 0, record: failed };
  } finally {
    guard.stop();
  }
  // Nothing to queue (the scope is empty, or the scan could not go on): it closes now.
  const ledgerState = await deps.ledger.readLedger(scanId);
  if (ledgerState && ledgerState.batches === 0) {
    const closed = await closeScan(deps, scanId);
    if (closed) return { scanId, batches: 0, record: closed };
  }
  return { scanId, batches: ledgerState?.batches ?? 0, record };
}

function statsOf(s: SourceStats): { pages: number; rows: number; waitedMs: number } {
  return { pages: s.pages, rows: s.rows, waitedMs: s.waitedMs };
}

export type BatchOutcome =
  /** Scanned and reported; `closed` when its report completed the scan and this worker closed it. */
  | { readonly kind: 'reported'; readonly closed?: ScanRecord | undefined }
  /** Reported before (a redelivered message): nothing changed. */
  | { readonly kind: 'duplicate'; readonly closed?: ScanRecord | undefined }
  /** Its scan is no longer current (closed, unknown, or its lease taken over): dropped, nothing written. */
  | { readonly kind: 'dropped'; readonly reason: string };

/** Runs one batch of a planned scan. Throws when it could not (the queue hands the message out again). */
export async function runBatch(
  deps: BatchScanDeps,
  message: BatchMessage,
  signal?: AbortSignal,
): Promise<BatchOutcome> {
  const { scanId, batch } = message;
  const say = log(deps, scanId);
  const ledgerState = await deps.ledger.readLedger(scanId);
  if (!ledgerState) return { kind: 'dropped', reason: 'no such scan plan' };
  if (ledgerState.closed) return { kind: 'dropped', reason: 'the scan is closed' };
  if (ledgerState.done.includes(batch)) {
    say('batch delivered again: already reported', { batch });
    return { kind: 'duplicate', closed: await closeOrWait(deps, scanId) };
  }
  const leaseSeconds = deps.leaseSeconds ?? 900;
  let lease;
  try {
    lease = await deps.store.joinLease(scanId, leaseSeconds);
    await lease.renew(deps.clock());
  } catch (error) {
    if (error instanceof LeaseLostError) {
      say('batch dropped: its scan is no longer current', { batch, reason: error.message });
      return { kind: 'dropped', reason: error.message };
    }
    throw error;
  }
  const guard = new LeaseGuard(lease, deps.clock, (m, fields = {}) =>
    deps.log.warn(m, { scanId, batch, ...fields }),
  );
  guard.start(deps.renewEveryMs ?? Math.max(10, Math.floor(leaseSeconds / 3)) * 1000);
  const store = guard.guard(deps.store);
  try {
    const [plan, shared, context] = await Promise.all([
      deps.ledger.getDocument<PlanDocument>(scanId, 'plan'),
      deps.ledger.getDocument<SharedDocument>(scanId, 'shared'),
      deps.ledger.getDocument<BatchContext>(scanId, `batch-${batch}`),
    ]);
    if (!plan || !shared || !context)
      throw new Error(`the plan of scan ${scanId} lacks what batch ${batch} needs`);
    const now = new Date(plan.record.startedAt);
    const ids = new Set(message.subscriptionIds);
    const previous = new Map(
      (await store.loadSubscriptions())
        .filter((r) => ids.has(r.subscriptionId))
        .map((r) => [r.subscriptionId, r]),
    );
    const refused = new RefusedRecipients();
    const reconciler = await reconcilerOf(deps, store, scanId, now, previous, refused);
    const states = new SubscriptionStates();
    for (const [id, state] of context.states) states.set(id, state);
    const missing = new MissingProperties(deps.rules);
    const statsBefore = deps.source.stats();
    const streamed = await streamSubscriptions(
      {
        source: deps.source,
        rules: deps.rules,
        now,
        thresholds: deps.thresholds,
        log: (m, fields = {}) => say(m, { batch, ...fields }),
        filter: deps.filter,
        signal: signal ? AbortSignal.any([signal, guard.signal]) : guard.signal,
      },
      {
        batches: [{ kind: 'subscriptions', ids: message.subscriptionIds }],
        targets: shared.targets,
        references: buildScanIndex(shared.references),
        states,
        containers: new Map(context.containers),
        sink: (...args) => {
          missing.add(args[2]);
          return reconciler.sink(...args);
        },
        retirements: {
          bySubscription: new Map(context.retirementFindings),
          ...(shared.freeze
            ? retirementScope(
                shared.freeze,
                new Map(context.retirementTags ?? []),
                deps.filter?.excludeTags,
              )
            : {
                frozen: () => false,
                keepUnseen: () => false,
                gone: () => false,
                tagsOf: () => undefined,
                excluded: () => false,
              }),
        },
      },
    );
    if (guard.lost) {
      say('batch dropped: the lease was lost', { batch, reason: guard.lost });
      return { kind: 'dropped', reason: guard.lost };
    }
    if (signal?.aborted) throw new Error('the batch was stopped before it finished');
    const source = statsSince(deps.source.stats(), statsBefore);
    const result: BatchResult = {
      states: [...states],
      outcomes: [...reconciler.outcomes],
      resources: streamed.resources,
      ruleErrors: streamed.ruleErrors.length,
      ruleErrorSamples: streamed.ruleErrors.slice(0, 20),
      refused: refused.list(),
      source,
    };
    const done = [...states.values()].filter((s) => s.outcome === 'complete').length;
    return await report(deps, store, plan, batch, result, done);
  } finally {
    guard.stop();
  }
}

/** Writes a batch's result and progress, then counts it in the ledger; the report that completes it closes. */
async function report(
  deps: BatchScanDeps,
  store: FindingStore,
  plan: PlanDocument,
  batch: number,
  result: BatchResult,
  done: number,
): Promise<BatchOutcome> {
  const scanId = plan.record.id;
  // Each attempt writes its own result document; the ledger names the one that counted.
  const name = `result-${batch}-${randomUUID().slice(0, 8)}`;
  await deps.ledger.putDocument(scanId, name, result);
  // Progress before the report: once every batch has reported, only the closer writes the scan record.
  const before = await deps.ledger.readLedger(scanId);
  if (before && !before.done.includes(batch))
    await store
      .writeScan({ ...plan.record, progress: progressFrom(deps, plan, before, result, done) })
      .catch((error: unknown) =>
        deps.log.warn('progress not recorded', { scanId, error: describe(error) }),
      );
  const { state, first } = await deps.ledger.reportBatch(scanId, batch, {
    result: name,
    subscriptions: done,
    pages: result.source.pages,
    rows: result.source.rows,
    waitedMs: result.source.waitedMs,
  });
  log(deps, scanId)('batch reported', {
    batch,
    batches: `${state.done.length}/${state.batches}`,
    subscriptions: result.states.length,
    resources: result.resources,
  });
  const closed = state.done.length >= state.batches ? await closeScan(deps, scanId) : undefined;
  return { kind: first ? 'reported' : 'duplicate', closed };
}

function progressFrom(
  deps: RunScanDeps,
  plan: PlanDocument,
  ledger: LedgerState,
  result: BatchResult | undefined,
  done: number,
): ScanProgress {
  return progressOf(
    {
      subscriptionsDone: ledger.subscriptionsDone + done,
      subscriptionsTotal: plan.record.progress?.subscriptionsTotal ?? 0,
      batchesDone: ledger.done.length + (result ? 1 : 0),
      batchesTotal: ledger.batches,
      pages: plan.source.pages + ledger.pages + (result?.source.pages ?? 0),
      rows: plan.source.rows + ledger.rows + (result?.source.rows ?? 0),
      waitedMs: plan.source.waitedMs + ledger.waitedMs + (result?.source.waitedMs ?? 0),
    },
    plan.record.startedAt,
    deps.clock(),
  );
}

/**
 * A batch that went to the poison queue (it failed every attempt): reported with its subscriptions failed, so the
 * scan still closes — `partial`, naming them, their findings left as they were.
 */
export async function failBatch(
  deps: BatchScanDeps,
  message: BatchMessage,
  why: string,
): Promise<BatchOutcome> {
  const { scanId, batch } = message;
  const ledgerState = await deps.ledger.readLedger(scanId);
  if (!ledgerState || ledgerState.closed) return { kind: 'dropped', reason: 'no open scan' };
  if (ledgerState.done.includes(batch))
    return { kind: 'duplicate', closed: await closeOrWait(deps, scanId) };
  const plan = await deps.ledger.getDocument<PlanDocument>(scanId, 'plan');
  if (!plan) return { kind: 'dropped', reason: 'no plan' };
  const context = await deps.ledger
    .getDocument<BatchContext>(scanId, `batch-${batch}`)
    .catch(() => undefined);
  const names = new Map((context?.states ?? []).map(([id, s]) => [id, s.displayName]));
  const states = new SubscriptionStates(names);
  for (const id of message.subscriptionIds) {
    const state = states.of(id);
    state.outcome = 'failed';
    state.reason = why;
  }
  log(deps, scanId)('batch failed for good', {
    batch,
    subscriptions: message.subscriptionIds.length,
    reason: why,
  });
  const result: BatchResult = {
    states: [...states],
    outcomes: [],
    resources: 0,
    ruleErrors: 0,
    ruleErrorSamples: [],
    refused: [],
    source: ZERO,
  };
  return report(deps, deps.store, plan, batch, result, 0);
}

/**
 * For a batch delivered again: closes its scan if every batch reported and nobody closes it. While another worker's
 * claim is fresh, throws, so that the message comes back later rather than vanish with the scan unclosed (the
 * claimant may have died).
 */
async function closeOrWait(deps: BatchScanDeps, scanId: string): Promise<ScanRecord | undefined> {
  const closed = await closeScan(deps, scanId);
  if (closed) return closed;
  const state = await deps.ledger.readLedger(scanId);
  if (state && !state.closed && state.done.length >= state.batches)
    throw new Error(`scan ${scanId} is being closed by another worker; this delivery retries`);
  return undefined;
}

/**
 * Closes a scan whose batches all reported, once: the claim is made under the ledger's ETag, so of several workers
 * exactly one closes (another takes over only a claim older than `closeStaleMs`, its closer having died).
 */
export async function closeScan(
  deps: BatchScanDeps,
  scanId: string,
): Promise<ScanRecord | undefined> {
  const staleMs = deps.closeStaleMs ?? 120_000;
  if (!(await deps.ledger.claimClose(scanId, deps.clock(), staleMs))) return undefined;
  try {
    return await close(deps, scanId);
  } catch (error) {
    // Failed half-way: the claim is given up, and the message, handed out again, closes it then.
    await deps.ledger.abandonClose(scanId).catch(() => undefined);
    throw error;
  }
}

async function close(deps: BatchScanDeps, scanId: string): Promise<ScanRecord | undefined> {
  const say = log(deps, scanId);
  const plan = await deps.ledger.getDocument<PlanDocument>(scanId, 'plan');
  const ledger = await deps.ledger.readLedger(scanId);
  if (!plan || !ledger) return undefined;
  let lease;
  try {
    lease = await deps.store.joinLease(scanId, deps.leaseSeconds ?? 900);
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
    // Another scan holds the lease now: this one was superseded and is marked abandoned by it.
    say('scan not closed: its lease is held by another scan', { reason: error.message });
    await deps.ledger.markClosed(scanId);
    return undefined;
  }
  const results: BatchResult[] = [];
  for (let i = 0; i < plan.batches; i++) {
    const name = ledger.results[String(i)];
    const result = name ? await deps.ledger.getDocument<BatchResult>(scanId, name) : undefined;
    if (!result) throw new Error(`scan ${scanId}: the result of batch ${i} is missing`);
    results.push(result);
  }
  const states = new Map<string, SubscriptionState>(plan.outside);
  const outcomes = new Map<string, SubscriptionOutcomeFacts>(plan.outsideOutcomes);
  const refused = new RefusedRecipients();
  refused.merge(plan.refused);
  let source = plan.source;
  let resources = 0;
  let ruleErrorCount = 0;
  const ruleErrors: RuleError[] = [];
  for (const r of results) {
    for (const [id, s] of r.states) states.set(id, s);
    for (const [id, o] of r.outcomes) outcomes.set(id, o);
    refused.merge(r.refused);
    source = addStats(source, r.source);
    resources += r.resources;
    ruleErrorCount += r.ruleErrors;
    ruleErrors.push(...r.ruleErrorSamples);
  }
  const previous = new Map(
    (await deps.store.loadSubscriptions()).map((r) => [r.subscriptionId, r]),
  );
  const previousStatus = await deps.store.readStatus();
  const evaluation: TenantEvaluation = {
    states,
    fatal: plan.fatal,
    resources,
    ruleErrors,
    coverageReason: plan.coverageReason,
    vanished: plan.vanished,
    limited: plan.limited,
    ...(plan.retirements
      ? {
          retirementSources: plan.retirements.sources,
          notEvaluated: plan.retirements.notEvaluated,
          dataRetirements: plan.retirements.retirements,
        }
      : {}),
  };
  const progress = progressFrom(deps, plan, ledger, undefined, 0);
  const {
    record: closed,
    totals,
    records,
  } = await recordSubscriptions(deps.store, {
    base: plan.record,
    evaluation,
    outcomes,
    previous,
    endedAt: () => deps.clock().toISOString(),
    source,
    ruleErrorCount,
  });
  const record: ScanRecord = { ...closed, progress: { ...progress, etaSeconds: 0 } };
  for (const e of ruleErrors.slice(0, 20))
    say('rule error', { ruleId: e.ruleId, resourceId: e.resourceId, error: e.message });
  await deps.store.writeStatus({
    ...statusSummary(
      deps.rules,
      record,
      totals,
      records,
      previousStatus,
      plan.retirements?.retirements ?? [],
    ),
    ...refused.summary(),
  });
  await deps.store.writeScan(record);
  if (record.status === 'failed') await noteFailure(deps.store, record);
  await deps.ledger.markClosed(scanId);
  // After the scan is marked closed: a closing retried after a failure never counts the scan twice in the trend.
  await deps.store
    .recordTrend({
      day: record.startedAt.slice(0, 10),
      scans: 1,
      open: totals.open,
      bySeverity: totals.bySeverity,
      new: record.counts.new,
      resolved: record.counts.resolved,
      lastStatus: record.status,
    })
    .catch((error: unknown) => say('trend not recorded', { error: describe(error) }));

  say('scan ended', {
    status: record.status,
    subscriptions: record.subscriptions,
    resources: record.resources,
    findings: record.counts.open,
    new: record.counts.new,
    resolved: record.counts.resolved,
    incomplete: record.incompleteTotal,
    ruleErrors: record.ruleErrors,
    batches: plan.batches,
    ...(record.error ? { error: record.error } : {}),
    ...record.source,
  });
  await deps.ledger
    .dropDocuments(scanId)
    .catch((error: unknown) => say('plan documents not removed', { error: describe(error) }));
  await lease.release().catch(() => undefined);
  return record;
}

/** A scan that failed before writing the status summary still counts toward "scans are failing". */
async function noteFailure(store: FindingStore, record: ScanRecord): Promise<void> {
  try {
    const summary = await store.readStatus();
    if (summary?.recentScans?.some((s) => s.id === record.id)) return;
    if (summary) await store.writeStatus({ ...summary, recentScans: withRecent(summary, record) });
  } catch {
    // Best effort: health reads the scan records too.
  }
}

/** The tags of the resources under the given subscriptions (ids are `/subscriptions/<id>/...`, lower-case). */
function tagsIn(
  tags: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined,
  subscriptionIds: readonly string[],
): Entries<Readonly<Record<string, string>>> {
  if (!tags?.size) return [];
  const wanted = new Set(subscriptionIds.map((id) => id.toLowerCase()));
  return [...tags].filter(([id]) => wanted.has(id.split('/')[2] ?? ''));
}
