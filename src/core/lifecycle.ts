// Finding lifecycle between scans: new → open → resolved → reopened, computed from the stored state and a fresh evaluation.
import { createHash } from 'node:crypto';
import { findingKey, type Finding } from './finding.js';
import { SEVERITIES, type Severity } from './severity.js';

/** A finding as stored, with its lifecycle. `lastSeen` is the subscription's last complete scan. */
export interface StoredFinding {
  readonly subscriptionId: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly resourceType: string;
  readonly resourceGroup: string;
  readonly message: string;
  readonly deadline?: string | undefined;
  /** `a@x.com;b@y.com`, resolved at scan time. */
  readonly owners?: string | undefined;
  /** Why they own it: "tag owner on the resource", "the default recipients"... */
  readonly ownerReason?: string | undefined;
  readonly status: 'open' | 'resolved';
  readonly firstSeen: string;
  readonly firstSeenScan: string;
  readonly resolvedAt?: string | undefined;
  readonly resolvedScan?: string | undefined;
  readonly reopenedAt?: string | undefined;
  readonly reopenedScan?: string | undefined;
  /** The active exemption covering it: still stored and counted, but apart, and left out of digests. */
  readonly exemptionId?: string | undefined;
  readonly exemptedUntil?: string | undefined;
  /** The exemption that covered it and has expired: the owner hears "exemption expired" once. */
  readonly expiredExemptionId?: string | undefined;
}

export type FindingState = 'new' | 'open' | 'resolved' | 'reopened';

/** The state a person sees, derived without a write per scan: `new` and `reopened` last one complete scan. */
export function stateOf(
  finding: StoredFinding,
  lastCompleteScanId: string | undefined,
): FindingState {
  if (finding.status === 'resolved') return 'resolved';
  if (lastCompleteScanId !== undefined && finding.reopenedScan === lastCompleteScanId)
    return 'reopened';
  if (lastCompleteScanId !== undefined && finding.firstSeenScan === lastCompleteScanId)
    return 'new';
  return 'open';
}

export interface Counts {
  readonly resources: number;
  readonly open: number;
  readonly bySeverity: Record<Severity, number>;
  readonly byRule: Record<string, number>;
  readonly new: number;
  readonly resolved: number;
  readonly reopened: number;
  /** Open findings an active exemption covers: counted apart, not in `open`, `bySeverity` or `byRule`. */
  readonly exempted?: number;
}

export function emptyCounts(): Counts {
  return {
    resources: 0,
    open: 0,
    bySeverity: { blocker: 0, warning: 0, info: 0 },
    byRule: {},
    new: 0,
    resolved: 0,
    reopened: 0,
  };
}

export function addCounts(a: Counts, b: Counts): Counts {
  const byRule: Record<string, number> = { ...a.byRule };
  for (const [rule, n] of Object.entries(b.byRule)) byRule[rule] = (byRule[rule] ?? 0) + n;
  const bySeverity = { ...a.bySeverity };
  for (const s of SEVERITIES) bySeverity[s] += b.bySeverity[s];
  return {
    resources: a.resources + b.resources,
    open: a.open + b.open,
    bySeverity,
    byRule,
    new: a.new + b.new,
    resolved: a.resolved + b.resolved,
    reopened: a.reopened + b.reopened,
    exempted: (a.exempted ?? 0) + (b.exempted ?? 0),
  };
}

export interface Reconciliation {
  /** Entities to write: new, reopened, resolved or changed findings. Unchanged ones are not written. */
  readonly changes: StoredFinding[];
  readonly counts: Counts;
}

export interface ScanMark {
  readonly scanId: string;
  readonly at: string;
}

/** Who owns a finding, as the scan resolved it. */
export interface FindingOwners {
  readonly owners: string | undefined;
  readonly reason: string | undefined;
  readonly exemptionId?: string | undefined;
  readonly exemptedUntil?: string | undefined;
  readonly expiredExemptionId?: string | undefined;
}

const NO_OWNERS: FindingOwners = { owners: undefined, reason: undefined };

function sameContent(stored: StoredFinding, finding: Finding, owner: FindingOwners): boolean {
  return (
    stored.severity === finding.severity &&
    stored.message === finding.message &&
    stored.resourceName === finding.resourceName &&
    stored.resourceGroup === finding.resourceGroup &&
    stored.resourceType === finding.resourceType &&
    (stored.deadline ?? undefined) === (finding.deadline ?? undefined) &&
    (stored.owners ?? undefined) === owner.owners &&
    (stored.ownerReason ?? undefined) === owner.reason &&
    (stored.exemptionId || undefined) === (owner.exemptionId || undefined) &&
    (stored.exemptedUntil || undefined) === (owner.exemptedUntil || undefined) &&
    (stored.expiredExemptionId || undefined) === (owner.expiredExemptionId || undefined)
  );
}

/**
 * Compares a complete evaluation of one subscription with what the store holds for it.
 * Only call it for a subscription that was scanned completely: anything stored and not seen is resolved.
 */
export function reconcile(
  stored: readonly StoredFinding[],
  current: readonly Finding[],
  scan: ScanMark,
  resources: number,
  ownersOf: (finding: Finding) => FindingOwners = () => NO_OWNERS,
): Reconciliation {
  const previous = new Map(stored.map((f) => [findingKey(f), f]));
  const seen = new Set<string>();
  const changes: StoredFinding[] = [];
  const bySeverity: Record<Severity, number> = { blocker: 0, warning: 0, info: 0 };
  const byRule: Record<string, number> = {};
  let created = 0;
  let resolved = 0;
  let reopened = 0;
  let exempted = 0;
  for (const finding of current) {
    const key = findingKey(finding);
    if (seen.has(key)) continue;
    seen.add(key);
    const owner = ownersOf(finding);
    if (owner.exemptionId) exempted++;
    else {
      bySeverity[finding.severity]++;
      byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1;
    }
    const before = previous.get(key);
    const content = {
      subscriptionId: finding.subscriptionId,
      ruleId: finding.ruleId,
      severity: finding.severity,
      resourceId: finding.resourceId,
      resourceName: finding.resourceName,
      resourceType: finding.resourceType,
      resourceGroup: finding.resourceGroup,
      message: finding.message,
      deadline: finding.deadline,
      owners: owner.owners,
      ownerReason: owner.reason,
      exemptionId: owner.exemptionId,
      exemptedUntil: owner.exemptedUntil,
      expiredExemptionId: owner.expiredExemptionId,
    };
    if (!before) {
      created++;
      changes.push({ ...content, status: 'open', firstSeen: scan.at, firstSeenScan: scan.scanId });
    } else if (before.status === 'resolved') {
      reopened++;
      changes.push({
        ...before,
        ...content,
        status: 'open',
        resolvedAt: undefined,
        resolvedScan: undefined,
        reopenedAt: scan.at,
        reopenedScan: scan.scanId,
      });
    } else {
      // The same scan reconciling again (its batch redelivered after a crash): what it wrote counts once more.
      if (before.firstSeenScan === scan.scanId) created++;
      else if (before.reopenedScan === scan.scanId) reopened++;
      if (!sameContent(before, finding, owner)) changes.push({ ...before, ...content });
    }
  }
  for (const [key, before] of previous) {
    if (seen.has(key)) continue;
    if (before.status === 'resolved') {
      if (before.resolvedScan === scan.scanId) resolved++;
      continue;
    }
    resolved++;
    changes.push({ ...before, status: 'resolved', resolvedAt: scan.at, resolvedScan: scan.scanId });
  }
  const open = seen.size - exempted;
  return {
    changes,
    counts: { resources, open, bySeverity, byRule, new: created, resolved, reopened, exempted },
  };
}

/** Resolved findings older than the retention are pruned. */
export function isExpired(finding: StoredFinding, now: Date, retentionDays: number): boolean {
  if (finding.status !== 'resolved' || !finding.resolvedAt) return false;
  return now.getTime() - Date.parse(finding.resolvedAt) > retentionDays * 86_400_000;
}

/** A hash of what a complete scan found open in one subscription, as reconcile compares it. */
export function findingsHash(
  findings: readonly Finding[],
  ownersOf: (finding: Finding) => FindingOwners = () => NO_OWNERS,
): string {
  const lines = findings.map((f) => {
    const owner = ownersOf(f);
    return [
      findingKey(f),
      f.severity,
      f.message,
      f.resourceName,
      f.resourceGroup,
      f.resourceType,
      f.deadline ?? '',
      owner.owners ?? '',
      owner.reason ?? '',
      owner.exemptionId ?? '',
      owner.exemptedUntil ?? '',
      owner.expiredExemptionId ?? '',
    ].join('\u0000');
  });
  lines.sort();
  return createHash('sha256').update(lines.join('\n')).digest('base64url');
}

/** What a partition holds after a reconciliation: how many findings, and the oldest resolution (for retention). */
export function partitionFacts(
  stored: readonly StoredFinding[],
  changes: readonly StoredFinding[],
): { storedFindings: number; oldestResolvedAt: string | undefined } {
  const all = new Map(stored.map((f) => [findingKey(f), f]));
  for (const c of changes) all.set(findingKey(c), c);
  let oldest: string | undefined;
  for (const f of all.values()) {
    if (f.status === 'resolved' && f.resolvedAt && (!oldest || f.resolvedAt < oldest))
      oldest = f.resolvedAt;
  }
  return { storedFindings: all.size, oldestResolvedAt: oldest };
}
