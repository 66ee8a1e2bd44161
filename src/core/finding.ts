// A finding: one rule that fired on one resource. The shape of `scan --format json`.
import type { Severity } from './severity.js';
import type { Urgency } from './urgency.js';

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly resourceType: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly message: string;
  /** Retirement findings only: the ISO date of the retirement. */
  readonly deadline?: string;
  /** Retirement findings only: computed from `now` at scan time. */
  readonly urgency?: Urgency;
  /** Who owns it (`a@x.com;b@y.com`), in reports that resolve owners (the CLI's scan). */
  readonly owners?: string;
  /** Why they own it: "tag owner on the resource", "the default recipients (no owner found)"... */
  readonly ownerReason?: string;
  /** The subscription's display name, where the scan or export carries it. */
  readonly subscriptionName?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { blocker: 0, warning: 1, info: 2 };
const URGENCY_RANK: Record<Urgency, number> = {
  overdue: 0,
  'due-7': 1,
  'due-30': 2,
  'due-90': 3,
  'due-180': 4,
  later: 5,
};

/**
 * What to fix first: severity, then how close the deadline is (findings without one after those with one),
 * then the stable order below.
 */
export function comparePriority(a: Finding, b: Finding): number {
  const urgency = (f: Finding) => (f.urgency ? URGENCY_RANK[f.urgency] : 6);
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    urgency(a) - urgency(b) ||
    compareFindings(a, b)
  );
}

/** Stable order: subscription, resource id (case-insensitive), rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.subscriptionId.toLowerCase(), b.subscriptionId.toLowerCase()) ||
    cmp(a.resourceId.toLowerCase(), b.resourceId.toLowerCase()) ||
    cmp(a.ruleId, b.ruleId)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The identity of a finding across scans. */
export function findingKey(f: Pick<Finding, 'ruleId' | 'resourceId'>): string {
  return `${f.ruleId}|${f.resourceId.toLowerCase()}`;
}
