// What the dashboard page shows: plain data assembled by the use case, rendered by views/dashboard.ts.
import type { StatusView } from '../app/read-status.js';
import type { TrendDay } from '../app/ports.js';
import type { FindingState } from '../core/lifecycle.js';
import type { Severity } from '../core/severity.js';
import type { Urgency } from '../core/urgency.js';
import type { PlanUnitSummary } from '../core/plan-summary.js';

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
  /** Why they own it, as the digest says: "tag owner on the resource", "the default recipients"… */
  readonly ownerReason?: string | undefined;
  /** Set when an active exemption covers the finding (the `exempted` view). */
  readonly exemptedUntil?: string | undefined;
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

/** The migration plan in summary, from the plans the scans stored per subscription. */
export interface DashboardPlan {
  readonly units: number;
  readonly ready: number;
  readonly blocked: number;
  readonly undecided: number;
  /** Units to look at first: blocked ones (most blockers first), then waiting, then ready; capped. */
  readonly list: readonly (PlanUnitSummary & {
    readonly subscriptionId: string;
    readonly subscriptionName: string;
  })[];
}

/** The view's filters, read from the URL: a link opens exactly that view. */
export interface DashboardFilters {
  readonly owner?: string | undefined;
  readonly subscription?: string | undefined;
  readonly severity?: Severity | undefined;
  readonly rule?: string | undefined;
  /** `open` when absent. */
  readonly status?: 'open' | 'resolved' | 'exempted' | undefined;
  /** The retiring service (the retirements of one service). */
  readonly service?: string | undefined;
}

export const FILTER_NAMES = [
  'owner',
  'subscription',
  'severity',
  'rule',
  'status',
  'service',
] as const;

/** One page of the findings table. */
export interface DashboardPage {
  readonly size: number;
  /** The next page (its URL carries the signed continuation), absent on the last page. */
  readonly nextUrl?: string | undefined;
  /** The first page of the same view, when this is not it. */
  readonly firstUrl?: string | undefined;
}

export interface DashboardModel {
  readonly generatedAt: string;
  readonly status: StatusView;
  readonly subscriptions: readonly DashboardSubscription[];
  /** One page of the view's findings, most serious first. */
  readonly findings: readonly DashboardFinding[];
  /** How many findings the view holds, when the status summary knows it (not for an owner or a service). */
  readonly findingsTotal: number | undefined;
  readonly page: DashboardPage;
  readonly filters: DashboardFilters;
  /** The URL of the dashboard with these filters (the function key kept, if the page was opened with one). */
  readonly viewUrl: (filters: DashboardFilters) => string;
  /** The migration plan (absent before a scan that stored one). */
  readonly plan?: DashboardPlan | undefined;
  /** Where exemption requests go (PLATFORM_CONTACT): the findings link to a pre-filled e-mail. */
  readonly platformContact?: string | undefined;
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
