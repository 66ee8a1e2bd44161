// A dashboard model for the renderer's tests: several subscriptions, rules and findings, hostile strings included.
import { statusView, type StatusView } from '../../src/app/read-status.js';
import type { TrendDay } from '../../src/app/ports.js';
import type { Severity } from '../../src/core/severity.js';
import type { Urgency } from '../../src/core/urgency.js';
import type {
  DashboardFilters,
  DashboardFinding,
  DashboardModel,
  DashboardRule,
  DashboardSubscription,
} from '../../src/views/dashboard-model.js';

export const HOSTILE_SCRIPT = '<script>alert(1)</script>';
export const HOSTILE_MARKUP = '"quotes" & <b>bold</b>';
export const HOSTILE_BREAKOUT = '</script><script>alert(2)</script>';
export const HOSTILE_HREF = 'javascript:alert(1)';

export const NOW = '2026-11-26T08:00:00.000Z';

export const SUBS = {
  prod: '11111111-1111-1111-1111-111111111111',
  legacy: '22222222-2222-2222-2222-222222222222',
  sandbox: '33333333-3333-3333-3333-333333333333',
  clean: '44444444-4444-4444-4444-444444444444',
  lost: '55555555-5555-5555-5555-555555555555',
} as const;

const SUB_NAMES: Record<string, string> = {
  [SUBS.prod]: 'Contoso Production',
  [SUBS.legacy]: `Legacy ${HOSTILE_BREAKOUT}`,
  [SUBS.sandbox]: `Sandbox ${HOSTILE_MARKUP}`,
  [SUBS.clean]: 'Contoso Clean',
  [SUBS.lost]: 'Contoso Unreachable',
};

export const RULES: readonly DashboardRule[] = [
  {
    id: 'classic/vm-endpoint-acl',
    title: 'Endpoint ACLs on a classic VM',
    severity: 'blocker',
    docUrl: '/api/rules/classic/vm-endpoint-acl',
  },
  {
    id: 'classic/vnet-expressroute',
    title: 'Classic VNet with an ExpressRoute gateway',
    severity: 'blocker',
    docUrl:
      'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  },
  {
    id: 'classic/vm-xml-extensions',
    title: `XML extensions ${HOSTILE_SCRIPT}`,
    severity: 'blocker',
    docUrl: HOSTILE_HREF,
  },
  {
    id: 'classic/vm-backup-extension',
    title: 'Backup extension on a classic VM',
    severity: 'warning',
    docUrl: '/api/rules/classic/vm-backup-extension',
  },
  {
    id: 'retirement/cloud-services-classic',
    title: 'Cloud Services (classic) retirement',
    severity: 'warning',
    deadline: '2024-08-31',
    docUrl: '/api/rules/retirement/cloud-services-classic',
  },
  {
    id: 'retirement/basic-public-ip',
    title: 'Basic SKU public IP retirement',
    severity: 'info',
    deadline: '2026-12-20',
    docUrl: '/api/rules/retirement/basic-public-ip',
  },
];

function finding(
  n: number,
  sub: string,
  ruleId: string,
  severity: Severity,
  extra: Partial<DashboardFinding> = {},
): DashboardFinding {
  const name = extra.resourceName ?? `vm-${n}`;
  return {
    ruleId,
    severity,
    state: 'open',
    resourceId: `/subscriptions/${sub}/resourceGroups/rg-${n % 3}/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
    resourceName: name,
    resourceType: 'microsoft.classiccompute/virtualmachines',
    subscriptionId: sub,
    subscriptionName: SUB_NAMES[sub] ?? sub,
    resourceGroup: `rg-${n % 3}`,
    message: `Finding ${n} of ${ruleId}`,
    owners: 'ops@contoso.com',
    firstSeen: '2026-11-20T08:00:00.000Z',
    ...extra,
  };
}

/** Open findings, most serious first: 6 blockers, 3 warnings, 2 info. */
export const FINDINGS: readonly DashboardFinding[] = [
  finding(1, SUBS.prod, 'classic/vm-endpoint-acl', 'blocker', { state: 'new' }),
  finding(2, SUBS.prod, 'classic/vm-endpoint-acl', 'blocker'),
  finding(3, SUBS.prod, 'classic/vnet-expressroute', 'blocker', { resourceName: 'vnet-core' }),
  finding(4, SUBS.legacy, 'classic/vm-endpoint-acl', 'blocker', {
    resourceName: HOSTILE_SCRIPT,
    owners: HOSTILE_MARKUP,
    state: 'reopened',
  }),
  finding(5, SUBS.legacy, 'classic/vm-xml-extensions', 'blocker', { message: HOSTILE_BREAKOUT }),
  finding(6, SUBS.sandbox, 'classic/vm-endpoint-acl', 'blocker', {
    resourceGroup: HOSTILE_MARKUP,
  }),
  finding(7, SUBS.prod, 'classic/vm-backup-extension', 'warning'),
  finding(8, SUBS.legacy, 'retirement/cloud-services-classic', 'warning', {
    resourceName: 'cs-legacy',
    deadline: '2024-08-31',
    urgency: 'overdue' satisfies Urgency,
    owners: '',
  }),
  finding(9, SUBS.sandbox, 'classic/vm-backup-extension', 'warning', { state: 'new' }),
  finding(10, SUBS.prod, 'retirement/basic-public-ip', 'info', {
    resourceName: 'pip-web',
    deadline: '2026-12-20',
    urgency: 'due-30',
  }),
  finding(11, SUBS.sandbox, 'retirement/basic-public-ip', 'info', {
    resourceName: 'pip-sandbox',
    deadline: '2026-12-20',
    urgency: 'due-30',
  }),
];

function countBy<K extends string>(
  fs: readonly DashboardFinding[],
  key: (f: DashboardFinding) => K,
) {
  const out: Partial<Record<K, number>> = {};
  for (const f of fs) out[key(f)] = (out[key(f)] ?? 0) + 1;
  return out;
}

function severities(fs: readonly DashboardFinding[]): Record<Severity, number> {
  return { blocker: 0, warning: 0, info: 0, ...countBy(fs, (f) => f.severity) };
}

export const SUBSCRIPTIONS: readonly DashboardSubscription[] = [
  SUBS.prod,
  SUBS.legacy,
  SUBS.sandbox,
  SUBS.clean,
].map((id) => {
  const fs = FINDINGS.filter((f) => f.subscriptionId === id);
  return {
    subscriptionId: id,
    displayName: SUB_NAMES[id] as string,
    outcome: 'complete' as const,
    lastCompleteAt: '2026-11-26T07:59:00.000Z',
    open: fs.length,
    bySeverity: severities(fs),
  };
});

const UNREACHED: DashboardSubscription = {
  subscriptionId: SUBS.lost,
  displayName: SUB_NAMES[SUBS.lost] as string,
  outcome: 'unreached',
  reason: `forbidden: ${HOSTILE_SCRIPT}`,
  open: 0,
  bySeverity: { blocker: 0, warning: 0, info: 0 },
};

export const TREND: readonly TrendDay[] = [20, 18, 15, 14, 11].map((open, i) => ({
  day: `2026-11-${String(22 + i).padStart(2, '0')}`,
  scans: 1,
  open,
  bySeverity: { blocker: open - 5, warning: 3, info: 2 },
  new: 1,
  resolved: 2,
  lastStatus: 'succeeded',
}));

function status(): StatusView {
  const now = new Date(NOW);
  const base = statusView(undefined, now);
  return {
    ...base,
    lastScan: {
      id: 'scan-20261126-0800',
      trigger: 'timer',
      startedAt: '2026-11-26T07:58:30.000Z',
      endedAt: '2026-11-26T07:59:42.000Z',
      status: 'partial',
      subscriptions: 5,
      subscriptionsComplete: 4,
      resources: 1234,
      incomplete: [
        { subscriptionId: SUBS.lost, outcome: 'unreached', reason: UNREACHED.reason as string },
      ],
      incompleteTotal: 1,
      ruleErrors: 0,
    },
    findings: {
      open: FINDINGS.length,
      exempted: 3,
      bySeverity: severities(FINDINGS),
      byRule: countBy(FINDINGS, (f) => f.ruleId) as Record<string, number>,
    },
    deadlines: {
      byUrgency: { overdue: 1, 'due-7': 0, 'due-30': 2, 'due-90': 0, 'due-180': 0, later: 0 },
      rules: [
        {
          ruleId: 'retirement/cloud-services-classic',
          deadline: '2024-08-31',
          urgency: 'overdue',
          count: 1,
        },
        {
          ruleId: 'retirement/basic-public-ip',
          deadline: '2026-12-20',
          urgency: 'due-30',
          count: 2,
        },
      ],
    },
    changes: { previousScanId: 'scan-20261125-0800', new: 2, resolved: 2, reopened: 1 },
    lastSucceededAt: '2026-11-25T08:01:00.000Z',
    // A day since the last success, on a six-hourly schedule: stale.
    freshness: {
      lastSucceededAt: '2026-11-25T08:01:00.000Z',
      ageSeconds: 86_340,
      staleAfterSeconds: 43_200,
      stale: true,
    },
  };
}

export const RESOLVED: readonly DashboardFinding[] = [
  finding(12, SUBS.clean, 'classic/vm-endpoint-acl', 'blocker', {
    state: 'resolved',
    resourceName: 'vm-fixed',
    resolvedAt: '2026-11-26T07:59:40.000Z',
  }),
  finding(13, SUBS.prod, 'classic/vm-backup-extension', 'warning', {
    state: 'resolved',
    resourceName: 'vm-retired',
    resolvedAt: '2026-11-26T07:59:40.000Z',
  }),
];

/** The dashboard's URL for a view, as the handler builds it. */
export function viewUrl(filters: DashboardFilters): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(filters))
    if (value !== undefined) q.set(name, String(value));
  const query = q.toString();
  return `/api/dashboard${query ? `?${query}` : ''}`;
}

/** The full model: a partial scan with findings in three subscriptions. */
export function dashboardFixture(overrides: Partial<DashboardModel> = {}): DashboardModel {
  return {
    generatedAt: NOW,
    status: status(),
    subscriptions: [...SUBSCRIPTIONS, UNREACHED],
    findings: FINDINGS,
    findingsTotal: FINDINGS.length,
    page: { size: 50 },
    filters: {},
    viewUrl,
    resolved: RESOLVED,
    rules: RULES,
    trend: TREND,
    csvUrl: '/api/findings?format=csv',
    ...overrides,
  };
}

/** Nothing scanned yet. */
export function emptyDashboard(): DashboardModel {
  return {
    generatedAt: NOW,
    status: statusView(undefined, new Date(NOW)),
    subscriptions: [],
    findings: [],
    findingsTotal: 0,
    page: { size: 50 },
    filters: {},
    viewUrl,
    resolved: [],
    rules: RULES,
    trend: [],
    csvUrl: '/api/findings?format=csv',
  };
}
