// Exemptions: "we know, we accepted this until a date" — per resource, group, subscription or tag, per rule or pack, always expiring.
import type { Finding } from './finding.js';

export type ExemptionScope =
  | { readonly kind: 'resource'; readonly resourceId: string }
  | {
      readonly kind: 'resourceGroup';
      readonly subscriptionId: string;
      readonly resourceGroup: string;
    }
  | { readonly kind: 'subscription'; readonly subscriptionId: string }
  | { readonly kind: 'tag'; readonly key: string; readonly value: string };

export interface Exemption {
  readonly id: string;
  readonly scope: ExemptionScope;
  /** A rule id (`classic/vm-endpoint-acl`) or a pack prefix (`classic/`, `retirement/`). */
  readonly rule: string;
  /** Last day it applies (YYYY-MM-DD, UTC); from the next day the finding is active again. */
  readonly expiresOn: string;
  readonly justification: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

export function isActive(exemption: Exemption, now: Date): boolean {
  return now.toISOString().slice(0, 10) <= exemption.expiresOn;
}

function ruleMatches(pattern: string, ruleId: string): boolean {
  return pattern.endsWith('/') ? ruleId.startsWith(pattern) : ruleId === pattern;
}

/** Does the exemption cover this finding (whatever its expiry)? Tags are the resource's. */
export function covers(
  exemption: Exemption,
  finding: Pick<Finding, 'ruleId' | 'resourceId' | 'subscriptionId' | 'resourceGroup'>,
  tags?: Readonly<Record<string, string>>,
): boolean {
  if (!ruleMatches(exemption.rule, finding.ruleId)) return false;
  const scope = exemption.scope;
  switch (scope.kind) {
    case 'resource':
      return scope.resourceId.toLowerCase() === finding.resourceId.toLowerCase();
    case 'resourceGroup':
      return (
        scope.subscriptionId.toLowerCase() === finding.subscriptionId.toLowerCase() &&
        scope.resourceGroup.toLowerCase() === finding.resourceGroup.toLowerCase()
      );
    case 'subscription':
      return scope.subscriptionId.toLowerCase() === finding.subscriptionId.toLowerCase();
    case 'tag': {
      if (!tags) return false;
      const key = scope.key.toLowerCase();
      return Object.entries(tags).some(
        ([k, v]) => k.toLowerCase() === key && v.toLowerCase() === scope.value.toLowerCase(),
      );
    }
  }
}

/** The active exemption covering a finding (the one lasting longest), if any. */
export function exemptionFor(
  exemptions: readonly Exemption[],
  finding: Pick<Finding, 'ruleId' | 'resourceId' | 'subscriptionId' | 'resourceGroup'>,
  now: Date,
  tags?: Readonly<Record<string, string>>,
): Exemption | undefined {
  let best: Exemption | undefined;
  for (const e of exemptions) {
    if (!isActive(e, now) || !covers(e, finding, tags)) continue;
    if (!best || e.expiresOn > best.expiresOn) best = e;
  }
  return best;
}

/** The expired exemption that last covered a finding, for the "exemption expired" notice. */
export function expiredExemptionFor(
  exemptions: readonly Exemption[],
  finding: Pick<Finding, 'ruleId' | 'resourceId' | 'subscriptionId' | 'resourceGroup'>,
  now: Date,
  tags?: Readonly<Record<string, string>>,
): Exemption | undefined {
  let best: Exemption | undefined;
  for (const e of exemptions) {
    if (isActive(e, now) || !covers(e, finding, tags)) continue;
    if (!best || e.expiresOn > best.expiresOn) best = e;
  }
  return best;
}
