// What the dashboard page shows: plain data assembled by the use case, rendered by views/dashboard.ts.
import type { StatusView } from '../app/read-status.js';
import type { TrendDay } from '../app/ports.js';
import type { FindingState } from '../core/lifecycle.js';
import type { Severity } from '../core/severity.js';
import type { Urgency } from '../core/urgency.js';

export interface DashboardFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly state: FindingState;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly resourceType: string;
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly resourceGroup: string;
  readonly message: string;
  readonly owners: string;
  readonly deadline?: string | undefined;
  readonly urgency?: Urgency | undefined;
  readonly firstSeen: string;
  readonly resolvedAt?: string | undefined;
}

export interface DashboardSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly outcome: 'complete' | 'failed' | 'unreached';
  readonly reason?: string | undefined;
  readonly lastCompleteAt?: string | undefined;
  readonly open: number;
  readonly bySeverity: Record<Severity, number>;
}

export interface DashboardRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly deadline?: string | undefined;
  /** Link to the rule's doc page (served by the app). */
  readonly docUrl: string;
}

export interface DashboardModel {
  readonly generatedAt: string;
  readonly status: StatusView;
  readonly subscriptions: readonly DashboardSubscription[];
  /** Open findings, most serious first, capped at `findingsLimit`. */
  readonly findings: readonly DashboardFinding[];
  readonly findingsTotal: number;
  readonly findingsLimit: number;
  /** Findings resolved by the last scan. */
  readonly resolved: readonly DashboardFinding[];
  readonly rules: readonly DashboardRule[];
  /** Daily trend, oldest first (up to a year). */
  readonly trend: readonly TrendDay[];
  /** Where the full list can be downloaded (the findings API as CSV). */
  readonly csvUrl: string;
  /** What teams accepted, until when, and whether it still matches anything. */
  readonly exemptions?: readonly DashboardExemption[];
  /** Every change to the exemptions and the contacts, newest first. */
  readonly audit?: readonly {
    at: string;
    who: string;
    /** Only what the caller said: no sign-in in front of the app. */
    selfDeclared?: boolean | undefined;
    action: 'create' | 'delete' | 'contacts';
    exemptionId?: string | undefined;
    subscriptionId?: string | undefined;
  }[];
}

export interface DashboardExemption {
  readonly id: string;
  /** The scope in words: a resource id, `rg in subscription`, a subscription, `tag k=v`. */
  readonly scope: string;
  readonly rule: string;
  readonly expiresOn: string;
  readonly state: 'active' | 'expired';
  readonly stale: boolean;
  readonly matchedFindings: number;
  readonly justification: string;
  readonly createdBy: string;
}
