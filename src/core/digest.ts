// Digest assembly: what one recipient should hear since their last digest — new blockers and warnings, deadlines that came closer, fixes.
import { findingKey } from './finding.js';
import type { StoredFinding } from './lifecycle.js';
import type { Severity } from './severity.js';
import {
  urgencyOf,
  urgencyRank,
  DEFAULT_THRESHOLDS,
  type Urgency,
  type UrgencyThresholds,
} from './urgency.js';

export type NoticeKind = 'new' | 'deadline' | 'resolved' | 'exemption-expired';

export interface DigestItem {
  readonly kind: NoticeKind;
  /** The finding's identity (`ruleId|resourceId`), the ledger's key. */
  readonly key: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly resourceType: string;
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly resourceGroup: string;
  readonly message: string;
  readonly deadline?: string | undefined;
  readonly urgency?: Urgency | undefined;
  /** For `deadline` notices: the stage the recipient was last told. */
  readonly previousUrgency?: Urgency | undefined;
  /** Why this recipient gets it: "tag owner on the resource"... */
  readonly reason: string;
  /** For `exemption-expired` notices: the exemption that no longer covers it. */
  readonly exemptionId?: string | undefined;
}

export interface Digest {
  readonly recipient: string;
  readonly items: readonly DigestItem[];
  /** How many open (not exempted) findings the recipient owns in all: "your 401 open findings". */
  readonly open?: number | undefined;
}

/** What the ledger remembers per recipient and finding: that they were told, and at which deadline stage. */
export interface LedgerEntry {
  readonly key: string;
  readonly stage?: Urgency | undefined;
}

/** Stages that deserve an e-mail when a deadline enters them; `later` never does. */
const NOTIFIED_STAGES: readonly Urgency[] = ['due-180', 'due-90', 'due-30', 'due-7', 'overdue'];

export interface DigestInput {
  readonly recipient: string;
  /** Findings this recipient owns (open and recently resolved), with their subscription names. */
  readonly findings: readonly (StoredFinding & { readonly subscriptionName?: string })[];
  /** What this recipient was already told, by finding key. */
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
  /** Findings to leave out (exempted). */
  readonly quiet?: (finding: StoredFinding) => boolean;
}

const KIND_ORDER: Record<NoticeKind, number> = {
  new: 0,
  'exemption-expired': 1,
  deadline: 2,
  resolved: 3,
};

/** The ledger key that remembers an "exemption expired" notice. */
export function expiredKey(exemptionId: string, findingKey: string): string {
  return `expired:${exemptionId}|${findingKey}`;
}
const SEVERITY_ORDER: Record<Severity, number> = { blocker: 0, warning: 1, info: 2 };

/** The digest for one recipient; an empty `items` means nothing to send. Pure: same input, same digest. */
export function buildDigest(input: DigestInput): Digest {
  const items: DigestItem[] = [];
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  for (const f of input.findings) {
    if (input.quiet?.(f)) continue;
    const key = findingKey(f);
    const told = input.ledger.get(key);
    const urgency = f.deadline ? urgencyOf(f.deadline, input.now, thresholds) : undefined;
    const base = {
      key,
      ruleId: f.ruleId,
      severity: f.severity,
      resourceId: f.resourceId,
      resourceName: f.resourceName,
      resourceType: f.resourceType,
      subscriptionId: f.subscriptionId,
      subscriptionName: f.subscriptionName ?? f.subscriptionId,
      resourceGroup: f.resourceGroup,
      message: f.message,
      deadline: f.deadline,
      urgency,
      reason: f.ownerReason ?? 'you are named as its owner',
    };
    if (f.status === 'resolved') {
      if (told) items.push({ ...base, kind: 'resolved' });
      continue;
    }
    if (f.expiredExemptionId && !input.ledger.has(expiredKey(f.expiredExemptionId, key))) {
      // Accepted until a date, and the date passed: the owner hears it once, whatever they were told before.
      items.push({ ...base, kind: 'exemption-expired', exemptionId: f.expiredExemptionId });
      continue;
    }
    if (!told) {
      if (f.severity === 'info') continue;
      items.push({ ...base, kind: 'new' });
      continue;
    }
    if (urgency && NOTIFIED_STAGES.includes(urgency)) {
      const before = told.stage;
      if (before === undefined || urgencyRank(urgency) < urgencyRank(before)) {
        items.push({ ...base, kind: 'deadline', previousUrgency: before });
      }
    }
  }
  items.sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return { recipient: input.recipient, items };
}

/** The ledger after this digest was sent: told findings remembered with their stage; resolved ones forgotten. */
export function ledgerChanges(digest: Digest): { upserts: LedgerEntry[]; deletes: string[] } {
  const upserts: LedgerEntry[] = [];
  const deletes: string[] = [];
  for (const item of digest.items) {
    if (item.kind === 'resolved') deletes.push(item.key);
    else upserts.push({ key: item.key, stage: item.urgency });
    if (item.kind === 'exemption-expired' && item.exemptionId)
      upserts.push({ key: expiredKey(item.exemptionId, item.key) });
  }
  return { upserts, deletes };
}

/** A short, stable fingerprint of a digest's content, for a deterministic operation id. */
export function digestFingerprint(digest: Digest): string {
  return `${digest.recipient}\n${digest.items.map((i) => `${i.kind}:${i.key}:${i.urgency ?? ''}`).join('\n')}`;
}

export interface DigestSummary {
  readonly newBlockers: number;
  /** New findings whose retirement date has already passed. */
  readonly newOverdue?: number;
  readonly exemptionsExpired?: number;
  readonly newWarnings: number;
  /** Deadline notices by the stage they entered. */
  readonly deadlines: Partial<Record<Urgency, number>>;
  readonly resolved: number;
}

export function summarize(digest: Digest): DigestSummary {
  const deadlines: Partial<Record<Urgency, number>> = {};
  let newBlockers = 0;
  let newWarnings = 0;
  let resolved = 0;
  let exemptionsExpired = 0;
  let newOverdue = 0;
  for (const item of digest.items) {
    if (item.kind === 'new' && item.urgency === 'overdue') newOverdue++;
    if (item.kind === 'new' && item.severity === 'blocker') newBlockers++;
    else if (item.kind === 'new') newWarnings++;
    else if (item.kind === 'resolved') resolved++;
    else if (item.kind === 'exemption-expired') exemptionsExpired++;
    else if (item.urgency) deadlines[item.urgency] = (deadlines[item.urgency] ?? 0) + 1;
  }
  return { newBlockers, newOverdue, newWarnings, deadlines, resolved, exemptionsExpired };
}
