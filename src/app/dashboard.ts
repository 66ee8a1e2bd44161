// Use case: gather what the dashboard shows — status, subscriptions, one page of the view's findings (filtered as the
// URL says, most serious first, paged on the findings API's signed continuation), what the last scan resolved, the trend.
import { decodeToken, encodeToken, InvalidTokenError, viewOf } from './query-findings.js';
import { statusView } from './read-status.js';
import type {
  AuditEntry,
  FindingFilter,
  FindingStore,
  StatusSummary,
  SubscriptionRecord,
} from './ports.js';
import type { ExemptionView } from './exemptions.js';
import type { Exemption } from '../core/exemptions.js';
import type { StoredFinding } from '../core/lifecycle.js';
import { SEVERITIES } from '../core/severity.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { RuleMeta } from '../rules/define-rule.js';
import type {
  DashboardFilters,
  DashboardFinding,
  DashboardModel,
} from '../views/dashboard-model.js';

export type { DashboardFilters };

/** Findings per page of the table: about 1.7 KB of page each, so a page stays far under 500 KB. */
export const DASHBOARD_PAGE_SIZE = 50;
export const DASHBOARD_MAX_PAGE_SIZE = 200;

export interface DashboardInput {
  readonly store: FindingStore;
  readonly summary: StatusSummary | undefined;
  readonly rules: readonly RuleMeta[];
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
  readonly schedule?: string;
  readonly ruleDocUrl: (ruleId: string) => string;
  readonly csvUrl: string;
  /** The view: filters from the URL, one page of `pageSize` findings from `continuationToken`. */
  readonly filters?: DashboardFilters;
  readonly pageSize?: number;
  readonly continuationToken?: string | undefined;
  /** Signs the continuation tokens, as the findings API does (CONTINUATION_TOKEN_KEY). */
  readonly tokenKey: string;
  /** The dashboard's URL for a view (and a page of it). */
  readonly viewUrl: (filters: DashboardFilters, continuationToken?: string) => string;
  /** PLATFORM_CONTACT: where exemption requests go. */
  readonly platformContact?: string | undefined;
  /** Exemptions with their state, and the audit trail, when the store has them. */
  readonly exemptions?: readonly ExemptionView[];
  readonly audit?: readonly AuditEntry[];
}

/** The services with retirements, each with its rules: from the last scan's deadlines and the catalog. */
export function retirementServices(
  summary: StatusSummary | undefined,
  rules: readonly RuleMeta[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (service: string | undefined, ruleId: string) => {
    if (!service) return;
    const set = out.get(service) ?? new Set<string>();
    set.add(ruleId);
    out.set(service, set);
  };
  for (const d of summary?.deadlines ?? []) add(d.service, d.ruleId);
  for (const r of rules) add(r.retirement?.service, r.id);
  return out;
}

interface Cursor {
  /** Index into the severities being paged (most serious first). */
  readonly s: number;
  /** The store's token within that severity. */
  readonly n?: string | undefined;
}

function readCursor(token: string, filter: FindingFilter, key: string): Cursor {
  const inner = decodeToken(token, filter, key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(inner);
  } catch {
    parsed = undefined;
  }
  const c = parsed as { s?: unknown; n?: unknown } | undefined;
  if (
    !c ||
    typeof c.s !== 'number' ||
    !Number.isInteger(c.s) ||
    c.s < 0 ||
    (c.n !== undefined && typeof c.n !== 'string')
  )
    throw new InvalidTokenError('continuationToken is not a token the dashboard issued');
  return { s: c.s, n: c.n as string | undefined };
}

/**
 * One page of the view, most serious first: the severities in order, each paged on the store's continuation; the
 * cursor (which severity, the store's token) is signed and bound to the filter as the findings API's token is.
 */
async function pageOf(
  store: FindingStore,
  filter: FindingFilter,
  size: number,
  token: string | undefined,
  key: string,
): Promise<{ items: StoredFinding[]; next?: string }> {
  const order = filter.severity ? [filter.severity] : SEVERITIES;
  const cursor = token ? readCursor(token, filter, key) : { s: 0 };
  let i = cursor.s;
  let next = cursor.n;
  const items: StoredFinding[] = [];
  // Bounded: each call reads a bounded number of store pages.
  for (let calls = 0; i < order.length && items.length < size && calls < 50; calls++) {
    const page = await store.queryFindings(
      { ...filter, severity: order[i] },
      size - items.length,
      next,
    );
    items.push(...page.items);
    if (page.next) next = page.next;
    else {
      i += 1;
      next = undefined;
    }
  }
  if (i >= order.length) return { items };
  return { items, next: encodeToken(JSON.stringify({ s: i, n: next }), filter, key) };
}

async function collect(
  store: FindingStore,
  filter: Parameters<FindingStore['queryFindings']>[0],
  limit: number,
) {
  const out: StoredFinding[] = [];
  let next: string | undefined;
  do {
    const page = await store.queryFindings(filter, Math.min(1000, limit - out.length), next);
    out.push(...page.items);
    next = page.next;
  } while (next && out.length < limit);
  return out.slice(0, limit);
}

function scopeText(scope: Exemption['scope']): string {
  switch (scope.kind) {
    case 'resource':
      return scope.resourceId;
    case 'resourceGroup':
      return `${scope.resourceGroup} in ${scope.subscriptionId}`;
    case 'subscription':
      return `subscription ${scope.subscriptionId}`;
    case 'tag':
      return `tag ${scope.key}=${scope.value}`;
  }
}

/** Units listed on the dashboard. */
const PLAN_LIST = 12;
const STATE_RANK = { blocked: 0, waits: 1, ready: 2 } as const;

/** The tenant's plan (or one subscription's) from the summaries the scans stored on the subscription records. */
function planOf(records: readonly SubscriptionRecord[]): DashboardModel['plan'] {
  const withPlan = records.filter((r) => r.plan);
  if (withPlan.length === 0) return undefined;
  const sum = (pick: (p: NonNullable<SubscriptionRecord['plan']>) => number) =>
    withPlan.reduce(
      (total, r) => total + pick(r.plan as NonNullable<SubscriptionRecord['plan']>),
      0,
    );
  const list = withPlan
    .flatMap((r) =>
      (r.plan?.first ?? []).map((u) => ({
        ...u,
        subscriptionId: r.subscriptionId,
        subscriptionName: r.displayName || r.subscriptionId,
      })),
    )
    .sort(
      (a, b) =>
        STATE_RANK[a.state] - STATE_RANK[b.state] ||
        b.blockers - a.blockers ||
        a.order - b.order ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    )
    .slice(0, PLAN_LIST);
  return {
    units: sum((p) => p.units),
    ready: sum((p) => p.ready),
    blocked: sum((p) => p.blocked),
    undecided: sum((p) => p.undecided),
    list,
  };
}

export async function buildDashboard(input: DashboardInput): Promise<DashboardModel> {
  const size = Math.min(DASHBOARD_MAX_PAGE_SIZE, input.pageSize ?? DASHBOARD_PAGE_SIZE);
  const filters = input.filters ?? {};
  const status = statusView(input.summary, input.now, input.thresholds, input.schedule);
  const subscriptions = await input.store.loadSubscriptions();
  const bySub = new Map(subscriptions.map((s) => [s.subscriptionId, s]));
  const subscription = filters.subscription?.toLowerCase();
  const serviceRules = filters.service
    ? [...(retirementServices(input.summary, input.rules).get(filters.service) ?? [])]
    : undefined;
  const filter: FindingFilter = {
    status: filters.status ?? 'open',
    ...(subscription ? { subscriptionId: subscription } : {}),
    ...(filters.severity ? { severity: filters.severity } : {}),
    ...(filters.rule ? { ruleId: filters.rule } : {}),
    ...(serviceRules ? { ruleIds: serviceRules.sort() } : {}),
    ...(filters.owner ? { owner: filters.owner.toLowerCase() } : {}),
  };
  const page = await pageOf(input.store, filter, size, input.continuationToken, input.tokenKey);
  const lastScanId = input.summary?.lastScan.id;
  const resolved = lastScanId
    ? await collect(
        input.store,
        {
          status: 'resolved',
          resolvedScan: lastScanId,
          ...(filters.owner ? { owner: filters.owner.toLowerCase() } : {}),
        },
        200,
      )
    : [];
  const total = (): number | undefined => {
    if (filters.owner || filters.service) return undefined;
    if ((filters.status ?? 'open') !== 'open')
      return filters.status === 'exempted' && !subscription && !filters.rule && !filters.severity
        ? status.findings.exempted
        : undefined;
    const counts = subscription ? bySub.get(subscription)?.counts : input.summary?.totals;
    if (!counts) return subscription ? 0 : undefined;
    if (filters.rule && filters.severity) return undefined;
    if (filters.rule) return counts.byRule[filters.rule] ?? 0;
    if (filters.severity) return counts.bySeverity[filters.severity];
    return counts.open;
  };
  const toView = (f: StoredFinding): DashboardFinding => {
    const v = viewOf(f, bySub.get(f.subscriptionId), input.now, input.thresholds);
    return {
      ruleId: v.ruleId,
      severity: v.severity,
      state: v.state,
      resourceId: v.resourceId,
      resourceName: v.resourceName,
      resourceType: v.resourceType,
      subscriptionId: v.subscriptionId,
      subscriptionName: v.subscriptionName,
      resourceGroup: v.resourceGroup,
      message: v.message,
      owners: v.owners.join(', '),
      ownerReason: v.ownerReason,
      exemptedUntil: v.exemptionId ? v.exemptedUntil : undefined,
      deadline: v.deadline,
      urgency: v.urgency,
      firstSeen: v.firstSeen,
      resolvedAt: v.resolvedAt,
    };
  };
  const since = new Date(input.now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  return {
    generatedAt: input.now.toISOString(),
    status,
    subscriptions: subscriptions
      .map((s) => ({
        subscriptionId: s.subscriptionId,
        displayName: s.displayName,
        outcome: s.outcome,
        reason: s.reason,
        lastCompleteAt: s.lastCompleteAt,
        open: s.counts.open,
        bySeverity: s.counts.bySeverity,
      }))
      .sort(
        (a, b) =>
          b.bySeverity.blocker - a.bySeverity.blocker || a.displayName.localeCompare(b.displayName),
      ),
    findings: page.items.map(toView),
    findingsTotal: total(),
    page: {
      size,
      nextUrl: page.next ? input.viewUrl(filters, page.next) : undefined,
      firstUrl: input.continuationToken ? input.viewUrl(filters) : undefined,
    },
    filters,
    viewUrl: (f) => input.viewUrl(f),
    platformContact: input.platformContact,
    plan: planOf(
      subscription ? subscriptions.filter((s) => s.subscriptionId === subscription) : subscriptions,
    ),
    resolved: resolved.map(toView),
    rules: input.rules.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      deadline: r.deadline,
      docUrl: input.ruleDocUrl(r.id),
    })),
    trend: await input.store.readTrend(since),
    csvUrl: input.csvUrl,
    exemptions: (input.exemptions ?? []).map((e) => ({
      id: e.id,
      scope: scopeText(e.scope),
      rule: e.rule,
      expiresOn: e.expiresOn,
      state: e.state,
      stale: e.stale,
      matchedFindings: e.matchedFindings,
      justification: e.justification,
      createdBy: e.createdBy,
    })),
    audit: (input.audit ?? []).map((a) => ({
      at: a.at,
      who: a.who,
      selfDeclared: a.selfDeclared,
      action: a.action,
      exemptionId: a.exemptionId,
      subscriptionId: a.subscriptionId,
    })),
  };
}
