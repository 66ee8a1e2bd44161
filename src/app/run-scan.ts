// Use case: scan the tenant through Resource Graph, evaluate the catalog subscription by subscription, store the delta.
import { randomUUID } from 'node:crypto';
import { findingKey, type Finding } from '../core/finding.js';
import {
  addCounts,
  emptyCounts,
  findingsHash,
  isExpired,
  partitionFacts,
  reconcile,
  type StoredFinding,
  type Counts,
  type FindingOwners,
} from '../core/lifecycle.js';
import { formatOwners, resolveOwners } from '../core/owners.js';
import { RefusedRecipients } from './refused-recipients.js';
import { exemptionFor, expiredExemptionFor } from '../core/exemptions.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { describe, evaluateTenant } from './evaluate-tenant.js';
import {
  type ExemptionStore,
  type FindingStore,
  type ScopeFilter,
  type Logger,
  type ResourceSource,
  type ScanRecord,
  type ScanTrigger,
  type Scope,
  type StatusSummary,
  type SubscriptionRecord,
} from './ports.js';

/** Incomplete subscriptions listed by name in a scan record (the count is always exact). */
const INCOMPLETE_LISTED = 100;

export interface RunScanDeps {
  readonly source: ResourceSource;
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
}

export interface RunScanInput {
  readonly scope: Scope;
  readonly trigger: ScanTrigger;
  readonly signal?: AbortSignal;
  /** Called with the scan id once the lease is held (before the scan runs). */
  readonly onStarted?: (scanId: string) => void;
}

export async function runScan(deps: RunScanDeps, input: RunScanInput): Promise<ScanRecord> {
  const scanId =
    deps.newId?.() ??
    `scan-${deps.clock().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const startedAt = deps.clock();
  const lease = await deps.store.acquireLease(scanId, deps.leaseSeconds ?? 900, startedAt);
  input.onStarted?.(scanId);
  const renewEvery = Math.max(10, Math.floor((deps.leaseSeconds ?? 900) / 3)) * 1000;
  const renewal = setInterval(() => {
    lease
      .renew()
      .catch((error: unknown) =>
        deps.log.warn('lease renewal failed', { scanId, error: describe(error) }),
      );
  }, renewEvery);
  renewal.unref();
  const log = (message: string, fields: Record<string, unknown> = {}) =>
    deps.log.info(message, { scanId, ...fields });
  try {
    const base: ScanRecord = {
      id: scanId,
      trigger: input.trigger,
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
    await deps.store.writeScan(base);
    log('scan started', { trigger: input.trigger, scope: input.scope.kind });
    const record = await scan(deps, input, base, log);
    await deps.store.writeScan(record);
    log('scan ended', {
      status: record.status,
      subscriptions: record.subscriptions,
      resources: record.resources,
      findings: record.counts.open,
      new: record.counts.new,
      resolved: record.counts.resolved,
      incomplete: record.incompleteTotal,
      ruleErrors: record.ruleErrors,
      ...record.source,
    });
    return record;
  } finally {
    clearInterval(renewal);
    await lease
      .release()
      .catch((error: unknown) =>
        deps.log.warn('lease release failed', { scanId, error: describe(error) }),
      );
  }
}

async function scan(
  deps: RunScanDeps,
  input: RunScanInput,
  base: ScanRecord,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<ScanRecord> {
  const { source, store } = deps;
  // One clock reading for the whole scan: urgency, firstSeen and resolvedAt all say "as of this scan".
  const now = new Date(base.startedAt);
  const at = base.startedAt;
  const previousRecords = new Map(
    (await store.loadSubscriptions()).map((r) => [r.subscriptionId, r]),
  );
  const previousStatus = await store.readStatus();
  const contacts = await store.loadContacts();
  const exemptions = deps.exemptions ? await deps.exemptions.listExemptions() : [];

  const outcomes = new Map<
    string,
    {
      counts: Counts;
      findingsHash: string;
      oldestResolvedAt: string | undefined;
      exemptionMatches: Record<string, number>;
    }
  >();
  const tagNames = deps.owners?.tagNames ?? [];
  const excludedGroups = new Set(
    (deps.filter?.excludeResourceGroups ?? []).map((g) => g.toLowerCase()),
  );
  const excludedTypes = new Set((deps.filter?.excludeTypes ?? []).map((t) => t.toLowerCase()));
  const ownerTag = new Set(tagNames.map((n) => n.toLowerCase()));
  const refusedRecipients = new RefusedRecipients();
  const evaluation = await evaluateTenant(
    {
      source,
      rules: deps.rules,
      now,
      thresholds: deps.thresholds,
      log,
      knownNames: new Map([...previousRecords].map(([id, r]) => [id, r.displayName])),
      keepTag: (name) => ownerTag.has(name.toLowerCase()),
      ...(deps.filter ? { filter: deps.filter } : {}),
      coverage: {
        previous: new Set(
          [...previousRecords.values()]
            .filter((r) => r.lastCompleteScanId)
            .map((r) => r.subscriptionId),
        ),
        maxDropFraction: deps.coverageDropFraction ?? 0.2,
      },
    },
    input.scope,
    async (subscriptionId, findings, rows, containers) => {
      const tagsById = new Map(rows.map((r) => [r.id.toLowerCase(), r.tags]));
      const subMatches: Record<string, number> = {};
      const annotate = (finding: Finding): FindingOwners => {
        const { owners, refused } = resolveOwners({
          tagNames,
          resourceTags: tagsById.get(finding.resourceId.toLowerCase()),
          resourceGroupTags: containers.get(
            `/subscriptions/${finding.subscriptionId}/resourcegroups/${finding.resourceGroup}`.toLowerCase(),
          ),
          subscriptionTags: containers.get(
            `/subscriptions/${finding.subscriptionId}`.toLowerCase(),
          ),
          subscriptionContacts: contacts.get(subscriptionId),
          defaultRecipients: deps.owners?.defaultRecipients,
          allowedDomains: deps.owners?.allowedDomains,
        });
        refusedRecipients.add(finding, refused);
        const tags = tagsById.get(finding.resourceId.toLowerCase());
        const exemption = exemptionFor(exemptions, finding, now, tags);
        const expired = exemption ? undefined : expiredExemptionFor(exemptions, finding, now, tags);
        return {
          owners: formatOwners(owners),
          reason: owners?.reason,
          exemptionId: exemption?.id,
          exemptedUntil: exemption?.expiresOn,
          expiredExemptionId: expired?.id,
        };
      };
      // Owners and exemptions resolved once per finding; the hash and the reconciliation reuse them.
      const annotations = new Map(findings.map((f) => [findingKey(f), annotate(f)]));
      const ownerOf = (finding: Finding): FindingOwners =>
        annotations.get(findingKey(finding)) ?? annotate(finding);
      for (const a of annotations.values()) {
        if (a.exemptionId) subMatches[a.exemptionId] = (subMatches[a.exemptionId] ?? 0) + 1;
      }
      const retentionDays = deps.retentionDays ?? 180;
      const previous = previousRecords.get(subscriptionId);
      const hash = findingsHash(findings, ownerOf);
      const retentionDue =
        previous?.oldestResolvedAt !== undefined &&
        now.getTime() - Date.parse(previous.oldestResolvedAt) > retentionDays * 86_400_000;
      if (previous?.findingsHash === hash && previous.lastCompleteScanId && !retentionDue) {
        // Unchanged since the last complete scan: nothing to read, nothing to write.
        outcomes.set(subscriptionId, {
          counts: { ...previous.counts, resources: rows.length, new: 0, resolved: 0, reopened: 0 },
          findingsHash: hash,
          oldestResolvedAt: previous.oldestResolvedAt,
          exemptionMatches: subMatches,
        });
        return;
      }
      // No record means nothing was ever stored there.
      const stored: StoredFinding[] = previous ? await store.loadFindings(subscriptionId) : [];
      // Past the retention a resolved finding is forgotten: pruned now, and `new` if it ever comes back.
      const expired = stored.filter((f) => isExpired(f, now, retentionDays));
      // Findings in excluded groups or types were not looked at: out of scope, not resolved.
      const outOfScope = (f: StoredFinding) =>
        excludedGroups.has(f.resourceGroup.toLowerCase()) ||
        excludedTypes.has(f.resourceType.toLowerCase());
      const inScope = stored.filter((f) => !outOfScope(f));
      const kept = inScope.filter((f) => !isExpired(f, now, retentionDays));
      const result = reconcile(kept, findings, { scanId: base.id, at }, rows.length, ownerOf);
      if (!previous || result.changes.length > 0 || expired.length > 0)
        await store.markSubscription(subscriptionId);
      await store.deleteFindings(subscriptionId, expired);
      await store.writeFindings(subscriptionId, result.changes);
      outcomes.set(subscriptionId, {
        counts: result.counts,
        findingsHash: hash,
        oldestResolvedAt: partitionFacts(kept, result.changes).oldestResolvedAt,
        exemptionMatches: subMatches,
      });
    },
    input.signal,
  );
  const { states, resources, ruleErrors } = evaluation;
  let fatal = evaluation.fatal;

  // 4. Subscription records, the scan record and the O(1) status summary.
  const records: SubscriptionRecord[] = [];
  let totals = emptyCounts();
  let scanCounts = emptyCounts();
  const incomplete: ScanRecord['incomplete'][number][] = [];
  let complete = 0;
  for (const [subscriptionId, state] of [...states].sort(([a], [b]) => (a < b ? -1 : 1))) {
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
      });
    }
  }
  try {
    await store.writeSubscriptions(records);
  } catch (error) {
    fatal ??= `storing the subscription records failed: ${describe(error)}`;
  }
  const status =
    fatal || (complete === 0 && states.size > 0)
      ? 'failed'
      : incomplete.length > 0
        ? 'partial'
        : 'succeeded';
  const record: ScanRecord = {
    ...base,
    endedAt: deps.clock().toISOString(),
    status,
    subscriptions: states.size,
    subscriptionsComplete: complete,
    resources,
    counts: {
      ...scanCounts,
      open: totals.open,
      bySeverity: totals.bySeverity,
      byRule: totals.byRule,
    },
    incomplete: incomplete.slice(0, INCOMPLETE_LISTED),
    incompleteTotal: incomplete.length,
    ruleErrors: ruleErrors.length,
    error: fatal,
    source: source.stats(),
    coverage: {
      previousSubscriptions: [...previousRecords.values()].filter((r) => r.lastCompleteScanId)
        .length,
      subscriptions: states.size - evaluation.vanished,
      vanished: evaluation.vanished,
      reason: evaluation.coverageReason,
    },
  };
  for (const e of ruleErrors.slice(0, 20))
    log('rule error', { ruleId: e.ruleId, resourceId: e.resourceId, error: e.message });
  const summary: StatusSummary = {
    lastScan: record,
    previousScanId: previousStatus?.lastScan.id,
    lastSucceededAt: status === 'succeeded' ? record.endedAt : previousStatus?.lastSucceededAt,
    totals: {
      ...totals,
      new: scanCounts.new,
      resolved: scanCounts.resolved,
      reopened: scanCounts.reopened,
    },
    deadlines: deadlinesOf(deps.rules, totals),
    exemptionMatches: sumMatches(records),
    ...refusedRecipients.summary(),
    recentScans: [
      {
        id: record.id,
        status: record.status,
        endedAt: record.endedAt,
        reason: record.error ?? record.coverage?.reason,
      },
      ...(previousStatus?.recentScans ?? []),
    ].slice(0, 10),
  };
  await store.writeStatus(summary);
  await store
    .recordTrend({
      day: at.slice(0, 10),
      scans: 1,
      open: totals.open,
      bySeverity: totals.bySeverity,
      new: scanCounts.new,
      resolved: scanCounts.resolved,
      lastStatus: status,
    })
    .catch((error: unknown) => log('trend not recorded', { error: describe(error) }));
  return record;
}

function deadlinesOf(rules: readonly Rule[], totals: Counts): StatusSummary['deadlines'] {
  return rules
    .filter((r) => r.deadline !== undefined && (totals.byRule[r.id] ?? 0) > 0)
    .map((r) => ({
      ruleId: r.id,
      deadline: r.deadline as string,
      count: totals.byRule[r.id] ?? 0,
    }));
}

function sumMatches(records: readonly SubscriptionRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const [id, n] of Object.entries(r.exemptionMatches ?? {})) out[id] = (out[id] ?? 0) + n;
  }
  return out;
}
