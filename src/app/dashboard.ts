// Use case: gather what the dashboard shows — status, subscriptions, the most serious open findings, what the last scan resolved, the trend.
import { viewOf } from './query-findings.js';
import { statusView } from './read-status.js';
import type { AuditEntry, FindingStore, StatusSummary } from './ports.js';
import type { ExemptionView } from './exemptions.js';
import type { Exemption } from '../core/exemptions.js';
import type { StoredFinding } from '../core/lifecycle.js';
import { SEVERITIES } from '../core/severity.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { RuleMeta } from '../rules/define-rule.js';
import type { DashboardFinding, DashboardModel } from '../views/dashboard-model.js';

export interface DashboardInput {
  readonly store: FindingStore;
  readonly summary: StatusSummary | undefined;
  readonly rules: readonly RuleMeta[];
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
  readonly schedule?: string;
  readonly ruleDocUrl: (ruleId: string) => string;
  readonly csvUrl: string;
  /** Exemptions with their state, and the audit trail, when the store has them. */
  readonly exemptions?: readonly ExemptionView[];
  readonly audit?: readonly AuditEntry[];
  /** Only this owner's findings (an owner's view; the access decision is the caller's). */
  readonly owner?: string | undefined;
  /** Open findings shown in the page; the rest are in the CSV. */
  readonly limit?: number;
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

export async function buildDashboard(input: DashboardInput): Promise<DashboardModel> {
  // About 1.7 KB of page per row: 1,000 rows keep the page under 2 MB; the rest is in the CSV.
  const limit = input.limit ?? 1000;
  const status = statusView(input.summary, input.now, input.thresholds, input.schedule);
  const subscriptions = await input.store.loadSubscriptions();
  const bySub = new Map(subscriptions.map((s) => [s.subscriptionId, s]));
  // Most serious first: blockers, then warnings, then info, until the page's limit.
  const open: StoredFinding[] = [];
  for (const severity of SEVERITIES) {
    if (open.length >= limit) break;
    open.push(
      ...(await collect(
        input.store,
        { status: 'open', severity, owner: input.owner },
        limit - open.length,
      )),
    );
  }
  const lastScanId = input.summary?.lastScan.id;
  const resolved = lastScanId
    ? await collect(
        input.store,
        { status: 'resolved', resolvedScan: lastScanId, owner: input.owner },
        200,
      )
    : [];
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
    findings: open.map(toView),
    findingsTotal: status.findings.open,
    findingsLimit: limit,
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
