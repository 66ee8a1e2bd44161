// Stage 5: the subscription records, the scan record and the O(1) status summary, from what the stages saw.
import { addCounts, emptyCounts, type Counts } from '../../core/lifecycle.js';
import { serviceOfType, type DataRetirement } from '../../rules/retirement/data-retirements.js';
import type { Rule } from '../../rules/define-rule.js';
import type {
  FindingStore,
  ScanRecord,
  SourceStats,
  StatusSummary,
  SubscriptionRecord,
} from '../ports.js';
import type { TenantEvaluation } from '../evaluate-tenant.js';
import type { SubscriptionOutcomeFacts } from './reconcile-subscription.js';
import { eachConcurrently } from './chains.js';
import { describe } from './state.js';

/** Subscription records a write: one Table transaction (at most 100 entities). */
export const RECORDS_PER_WRITE = 100;
/** How many such writes go at once. */
export const RECORD_WRITES_AT_ONCE = 8;

/** Incomplete subscriptions listed by name in a scan record (the count is always exact). */
const INCOMPLETE_LISTED = 100;

export interface RecordInput {
  readonly base: ScanRecord;
  readonly evaluation: TenantEvaluation;
  readonly outcomes: ReadonlyMap<string, SubscriptionOutcomeFacts>;
  readonly previous: ReadonlyMap<string, SubscriptionRecord>;
  readonly endedAt: () => string;
  readonly source: SourceStats;
  /** Rule errors, when the evaluation carries a sample of them only (a scan run as batches). */
  readonly ruleErrorCount?: number;
}

/** The subscription records and the scan record; writes the subscription records. */
export async function recordSubscriptions(
  store: FindingStore,
  input: RecordInput,
): Promise<{ record: ScanRecord; totals: Counts; records: SubscriptionRecord[] }> {
  const { base, evaluation, outcomes, previous: previousRecords } = input;
  const at = base.startedAt;
  const records: SubscriptionRecord[] = [];
  let totals = emptyCounts();
  let scanCounts = emptyCounts();
  const incomplete: ScanRecord['incomplete'][number][] = [];
  let complete = 0;
  let fatal = evaluation.fatal;
  for (const [subscriptionId, state] of [...evaluation.states].sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    const previous = previousRecords.get(subscriptionId);
    const outcome = outcomes.get(subscriptionId);
    const counts = outcome?.counts;
    if (state.outcome === 'complete' && counts) {
      complete++;
      scanCounts = addCounts(scanCounts, counts);
      totals = addCounts(totals, { ...counts, new: 0, resolved: 0, reopened: 0 });
      records.push({
        subscriptionId,
        displayName: state.displayName,
        lastScanId: base.id,
        lastScanAt: at,
        outcome: 'complete',
        lastCompleteScanId: base.id,
        lastCompleteAt: at,
        counts,
        findingsHash: outcome?.findingsHash,
        oldestResolvedAt: outcome?.oldestResolvedAt,
        exemptionMatches: outcome?.exemptionMatches,
        plan: outcome?.plan,
        noticed: outcome?.noticed,
      });
    } else {
      const reason = state.reason ?? 'not reached by this scan';
      incomplete.push({ subscriptionId, outcome: state.outcome, reason });
      const kept = previous?.counts ?? emptyCounts();
      totals = addCounts(totals, { ...kept, new: 0, resolved: 0, reopened: 0 });
      records.push({
        subscriptionId,
        displayName: state.displayName,
        lastScanId: base.id,
        lastScanAt: at,
        outcome: state.outcome,
        reason,
        lastCompleteScanId: previous?.lastCompleteScanId,
        lastCompleteAt: previous?.lastCompleteAt,
        counts: kept,
        // Its partition may be half-written: no hash, so the next scan reads it and repairs it.
        findingsHash: undefined,
        exemptionMatches: previous?.exemptionMatches,
        oldestResolvedAt: previous?.oldestResolvedAt,
        // The plan as of its last complete scan.
        plan: previous?.plan,
        noticed: previous?.noticed,
      });
    }
  }
  try {
    // In several writes at once: one after another, the 120 transactions of a 12,000-subscription tenant were
    // seconds of the scan's tail. Each record stands alone (an upsert), so their order does not matter.
    const chunks: SubscriptionRecord[][] = [];
    for (let i = 0; i < records.length; i += RECORDS_PER_WRITE)
      chunks.push(records.slice(i, i + RECORDS_PER_WRITE));
    await eachConcurrently(chunks, RECORD_WRITES_AT_ONCE, async (chunk) => {
      await store.writeSubscriptions(chunk);
    });
  } catch (error) {
    fatal ??= `storing the subscription records failed: ${describe(error)}`;
  }
  const states = evaluation.states;
  const status =
    fatal || (complete === 0 && states.size > 0)
      ? 'failed'
      : incomplete.length > 0 ||
          evaluation.limited ||
          evaluation.retirementSources?.some((r) => r.outcome === 'failed')
        ? 'partial'
        : 'succeeded';
  const record: ScanRecord = {
    ...base,
    endedAt: input.endedAt(),
    status,
    subscriptions: states.size,
    subscriptionsComplete: complete,
    resources: evaluation.resources,
    counts: {
      ...scanCounts,
      open: totals.open,
      bySeverity: totals.bySeverity,
      byRule: totals.byRule,
    },
    incomplete: incomplete.slice(0, INCOMPLETE_LISTED),
    incompleteTotal: incomplete.length,
    ruleErrors: input.ruleErrorCount ?? evaluation.ruleErrors.length,
    error: fatal,
    source: input.source,
    coverage: {
      previousSubscriptions: [...previousRecords.values()].filter((r) => r.lastCompleteScanId)
        .length,
      subscriptions: states.size - evaluation.vanished,
      vanished: evaluation.vanished,
      reason: evaluation.coverageReason,
    },
    ...(evaluation.retirementSources ? { retirementSources: evaluation.retirementSources } : {}),
    ...(evaluation.notEvaluated?.length ? { notEvaluated: evaluation.notEvaluated } : {}),
  };
  return { record, totals, records };
}

/** The status summary a status read answers from in O(1). */
export function statusSummary(
  rules: readonly Rule[],
  record: ScanRecord,
  totals: Counts,
  records: readonly SubscriptionRecord[],
  previousStatus: StatusSummary | undefined,
  /** Retirements the sources made findings for (those the catalog does not name get their entry here). */
  dataRetirements: readonly DataRetirement[] = [],
): StatusSummary {
  return {
    lastScan: record,
    previousScanId: previousStatus?.lastScan.id,
    lastSucceededAt:
      record.status === 'succeeded' ? record.endedAt : previousStatus?.lastSucceededAt,
    totals: {
      ...totals,
      new: record.counts.new,
      resolved: record.counts.resolved,
      reopened: record.counts.reopened,
    },
    deadlines: deadlinesOf(rules, totals, dataRetirements),
    exemptionMatches: sumMatches(records),
    recentScans: withRecent(previousStatus, record),
  };
}

/** The last few scans, newest first, with this one in front. */
export function withRecent(
  previous: StatusSummary | undefined,
  record: ScanRecord,
): NonNullable<StatusSummary['recentScans']> {
  return [
    {
      id: record.id,
      status: record.status,
      endedAt: record.endedAt,
      reason: record.error ?? record.coverage?.reason,
    },
    ...(previous?.recentScans ?? []).filter((s) => s.id !== record.id),
  ].slice(0, 10);
}

function deadlinesOf(
  rules: readonly Rule[],
  totals: Counts,
  dataRetirements: readonly DataRetirement[],
): StatusSummary['deadlines'] {
  const fromRules = rules
    .filter((r) => r.deadline !== undefined && (totals.byRule[r.id] ?? 0) > 0)
    .map((r) => ({
      ruleId: r.id,
      deadline: r.deadline as string,
      count: totals.byRule[r.id] ?? 0,
      service: r.retirement?.service ?? serviceOfType(r.appliesTo[0]) ?? 'Azure',
      ...((r.retirement?.link ?? r.links[0]) ? { link: r.retirement?.link ?? r.links[0] } : {}),
    }));
  const named = new Set(rules.map((r) => r.id));
  const fromSources = dataRetirements
    .filter((d) => !named.has(d.id) && (totals.byRule[d.id] ?? 0) > 0)
    .map((d) => ({
      ruleId: d.id,
      deadline: d.date,
      count: totals.byRule[d.id] ?? 0,
      service: d.service,
      title: `${d.service}: ${d.feature}`,
      ...(d.link ? { link: d.link } : {}),
    }));
  return [...fromRules, ...fromSources];
}

function sumMatches(records: readonly SubscriptionRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const [id, n] of Object.entries(r.exemptionMatches ?? {})) out[id] = (out[id] ?? 0) + n;
  }
  return out;
}

/** Counters of one scan: the source counts since it was created, so a scan reports its own share. */
export function statsSince(now: SourceStats, before: SourceStats): SourceStats {
  return {
    pages: now.pages - before.pages,
    rows: now.rows - before.rows,
    throttled429: now.throttled429 - before.throttled429,
    retries: now.retries - before.retries,
    waitedMs: now.waitedMs - before.waitedMs,
  };
}
