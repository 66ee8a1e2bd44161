// Stage 4: one subscription's fresh findings against what the store holds — owners and exemptions resolved,
// unchanged partitions skipped, out-of-scope findings left as they were, the delta written.
import { findingKey, type Finding } from '../../core/finding.js';
import {
  findingsHash,
  isExpired,
  partitionFacts,
  reconcile,
  type Counts,
  type FindingOwners,
  type StoredFinding,
} from '../../core/lifecycle.js';
import { formatOwners, resolveOwners } from '../../core/owners.js';
import type { PlanSummary } from '../../core/plan-summary.js';
import type { RefusedRecipients } from '../refused-recipients.js';
import { exemptionFor, expiredExemptionFor, type Exemption } from '../../core/exemptions.js';
import type { FindingStore, ScopeFilter, SubscriptionRecord } from '../ports.js';
import type { SubscriptionSink } from './stream-subscriptions.js';

export interface SubscriptionOutcomeFacts {
  readonly counts: Counts;
  readonly findingsHash: string;
  readonly oldestResolvedAt: string | undefined;
  readonly exemptionMatches: Record<string, number>;
  readonly plan?: PlanSummary | undefined;
  /** Lower-case ids of the resources of findings kept open once seen by a Service Health notice. */
  readonly noticed?: readonly string[] | undefined;
}

export interface ReconcileContext {
  readonly store: FindingStore;
  readonly scanId: string;
  readonly now: Date;
  readonly previous: ReadonlyMap<string, SubscriptionRecord>;
  readonly contacts: ReadonlyMap<string, string[]>;
  readonly exemptions: readonly Exemption[];
  readonly filter?: ScopeFilter | undefined;
  readonly owners?:
    | {
        readonly tagNames: readonly string[];
        readonly defaultRecipients: readonly string[];
        /** Only addresses in these domains are owners (EMAIL_ALLOWED_DOMAINS); undefined: no restriction. */
        readonly allowedDomains?: readonly string[] | undefined;
      }
    | undefined;
  /** Where addresses refused as owners (outside the allowed domains) are gathered for the status. */
  readonly refused?: RefusedRecipients | undefined;
  readonly retentionDays: number;
}

/** A sink that reconciles each subscription handed to it, and the facts of those it reconciled. */
export function subscriptionReconciler(ctx: ReconcileContext): {
  sink: SubscriptionSink;
  outcomes: Map<string, SubscriptionOutcomeFacts>;
} {
  const { store, now } = ctx;
  const at = now.toISOString();
  const outcomes = new Map<string, SubscriptionOutcomeFacts>();
  const tagNames = ctx.owners?.tagNames ?? [];
  const excludedGroups = new Set(
    (ctx.filter?.excludeResourceGroups ?? []).map((g) => g.toLowerCase()),
  );
  const excludedTypes = new Set((ctx.filter?.excludeTypes ?? []).map((t) => t.toLowerCase()));

  const sink: SubscriptionSink = async (
    subscriptionId,
    findings,
    rows,
    containers,
    excluded,
    retirements,
    plan,
  ) => {
    const ownTags = new Map(rows.map((r) => [r.id.toLowerCase(), r.tags]));
    // A retirement finding's resource is often no target of the rules: its row came with the retirement sources.
    const tagsOf = (resourceId: string) =>
      ownTags.get(resourceId.toLowerCase()) ?? retirements?.tagsOf?.(resourceId);
    const subMatches: Record<string, number> = {};
    const annotate = (finding: Finding): FindingOwners => {
      const { owners, refused } = resolveOwners({
        tagNames,
        resourceTags: tagsOf(finding.resourceId),
        resourceGroupTags: containers.get(
          `/subscriptions/${finding.subscriptionId}/resourcegroups/${finding.resourceGroup}`.toLowerCase(),
        ),
        subscriptionTags: containers.get(`/subscriptions/${finding.subscriptionId}`.toLowerCase()),
        subscriptionContacts: ctx.contacts.get(subscriptionId),
        defaultRecipients: ctx.owners?.defaultRecipients,
        allowedDomains: ctx.owners?.allowedDomains,
      });
      ctx.refused?.add(finding, refused);
      const tags = tagsOf(finding.resourceId);
      const exemption = exemptionFor(ctx.exemptions, finding, now, tags);
      const expired = exemption
        ? undefined
        : expiredExemptionFor(ctx.exemptions, finding, now, tags);
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
    const previous = ctx.previous.get(subscriptionId);
    const hash = findingsHash(findings, ownerOf);
    const retentionDue =
      previous?.oldestResolvedAt !== undefined &&
      now.getTime() - Date.parse(previous.oldestResolvedAt) > ctx.retentionDays * 86_400_000;
    // A resource kept open once seen by a notice is gone: its findings resolve, so the partition is read.
    const goneNoticed = previous?.noticed?.some((id) => retirements?.gone?.(id) ?? false) ?? false;
    // Equal hashes mean the same visible findings, so findings left out of sight are the same ones too.
    if (
      previous?.findingsHash === hash &&
      previous.lastCompleteScanId &&
      !retentionDue &&
      !goneNoticed
    ) {
      // Unchanged since the last complete scan: nothing to read, nothing to write.
      outcomes.set(subscriptionId, {
        counts: { ...previous.counts, resources: rows.length, new: 0, resolved: 0, reopened: 0 },
        findingsHash: hash,
        oldestResolvedAt: previous.oldestResolvedAt,
        exemptionMatches: subMatches,
        plan,
        noticed: previous.noticed,
      });
      return;
    }
    // No record means nothing was ever stored there.
    const stored: StoredFinding[] = previous ? await store.loadFindings(subscriptionId) : [];
    // Past the retention a resolved finding is forgotten: pruned now, and `new` if it ever comes back.
    const expired = stored.filter((f) => isExpired(f, now, ctx.retentionDays));
    // Findings in excluded groups, types or tagged resources were not looked at: out of scope, not resolved.
    const outOfScope = (f: StoredFinding) =>
      excludedGroups.has(f.resourceGroup.toLowerCase()) ||
      excludedTypes.has(f.resourceType.toLowerCase()) ||
      excluded.has(f.resourceId.toLowerCase()) ||
      (retirements?.excluded?.(f.resourceId) ?? false) ||
      (retirements?.frozen(f.ruleId) ?? false);
    const kept = stored.filter((f) => !outOfScope(f) && !isExpired(f, now, ctx.retentionDays));
    // Retirements announced by a notice stay open once seen, though the notice leaves the active view.
    const fresh = new Set(findings.map(findingKey));
    const carried = retirements
      ? kept.filter(
          (f) =>
            f.status === 'open' &&
            retirements.keepUnseen(f.ruleId, f.resourceId) &&
            !fresh.has(findingKey(f)),
        )
      : [];
    const current = carried.length > 0 ? [...findings, ...carried] : findings;
    // The resources of the findings kept once seen: the next scan checks they still exist.
    const noticed = [
      ...new Set(
        carried
          .filter((f) => /\/providers\//i.test(f.resourceId))
          .map((f) => f.resourceId.toLowerCase()),
      ),
    ].sort();
    const result = reconcile(kept, current, { scanId: ctx.scanId, at }, rows.length, ownerOf);
    // The marker says "findings may have changed, the hash is unknown" before any finding is written: a
    // subscription with nothing to write needs none (a new one gets its record with the others, in transactions).
    if (result.changes.length > 0 || expired.length > 0)
      await store.markSubscription(subscriptionId);
    await store.deleteFindings(subscriptionId, expired);
    await store.writeFindings(subscriptionId, result.changes);
    // Out-of-scope findings still open are counted as they stand: the counts are what the store holds.
    const frozen = stored.filter((f) => outOfScope(f) && f.status === 'open' && !f.exemptionId);
    outcomes.set(subscriptionId, {
      counts: frozen.length ? withFrozen(result.counts, frozen) : result.counts,
      findingsHash: hash,
      oldestResolvedAt: partitionFacts(kept, result.changes).oldestResolvedAt,
      exemptionMatches: subMatches,
      plan,
      ...(noticed.length > 0 ? { noticed } : {}),
    });
  };
  return { sink, outcomes };
}

function withFrozen(counts: Counts, frozen: readonly StoredFinding[]): Counts {
  const bySeverity = { ...counts.bySeverity };
  const byRule = { ...counts.byRule };
  for (const f of frozen) {
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  return { ...counts, open: counts.open + frozen.length, bySeverity, byRule };
}
