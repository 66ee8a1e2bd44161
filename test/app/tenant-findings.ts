// Stored findings at tenant scale for the dashboard's tests: many subscriptions, owners, rules and severities, and the
// status summary a scan would have recorded for them.
import type { StatusSummary, SubscriptionRecord } from '../../src/app/ports.js';
import { emptyCounts, type Counts, type StoredFinding } from '../../src/core/lifecycle.js';
import type { Severity } from '../../src/core/severity.js';

export const NOW = new Date('2026-11-26T08:00:00.000Z');
export const SCAN = 'scan-20261126-0800';

const RULES: readonly { id: string; severity: Severity; deadline?: string; service?: string }[] = [
  { id: 'classic/vm-endpoint-acl', severity: 'blocker' },
  { id: 'classic/vnet-peered', severity: 'blocker' },
  { id: 'classic/vm-backup-extension', severity: 'warning' },
  {
    id: 'retirement/classic-vm',
    severity: 'warning',
    deadline: '2023-09-06',
    service: 'Virtual Machines',
  },
  {
    id: 'retirement/cloud-services-extended-support',
    severity: 'warning',
    deadline: '2027-03-31',
    service: 'Cloud Services',
  },
  { id: 'classic/vm-boot-diagnostics-premium', severity: 'info' },
];

export function subscriptionId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

export function ownerOf(i: number): string {
  return `team-${i % 40}@contoso.com`;
}

/** `count` open findings over `subscriptions` subscriptions; every 7th exempted, none resolved. */
export function tenantFindings(
  count: number,
  subscriptions: number,
): {
  findings: StoredFinding[];
  subscriptions: SubscriptionRecord[];
  summary: StatusSummary;
} {
  const findings: StoredFinding[] = [];
  const perSub = new Map<string, Counts>();
  const totals = emptyCounts();
  const mutableTotals = totals as { -readonly [K in keyof Counts]: Counts[K] };
  const deadlines = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const rule = RULES[i % RULES.length] as (typeof RULES)[number];
    const sub = subscriptionId(i % subscriptions);
    const name = `vm-${String(i).padStart(6, '0')}`;
    const exempted = i % 7 === 6;
    findings.push({
      subscriptionId: sub,
      ruleId: rule.id,
      severity: rule.severity,
      resourceId: `/subscriptions/${sub}/resourceGroups/rg-${i % 13}/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
      resourceName: name,
      resourceType: 'microsoft.classiccompute/virtualmachines',
      resourceGroup: `rg-${i % 13}`,
      message: `The classic VM ${name} has something ${rule.id} reports on it.`,
      ...(rule.deadline ? { deadline: rule.deadline } : {}),
      owners: ownerOf(i),
      ownerReason: 'tag owner on the resource',
      status: 'open',
      firstSeen: '2026-11-20T08:00:00.000Z',
      firstSeenScan: 'scan-20261120-0800',
      ...(exempted ? { exemptionId: 'ex-1', exemptedUntil: '2027-01-31' } : {}),
    });
    if (exempted) continue;
    const c = (perSub.get(sub) ?? emptyCounts()) as { -readonly [K in keyof Counts]: Counts[K] };
    perSub.set(sub, c);
    for (const k of [c, mutableTotals]) {
      k.open += 1;
      k.bySeverity[rule.severity] += 1;
      k.byRule[rule.id] = (k.byRule[rule.id] ?? 0) + 1;
    }
    if (rule.deadline) deadlines.set(rule.id, (deadlines.get(rule.id) ?? 0) + 1);
  }
  const records: SubscriptionRecord[] = [];
  for (let s = 0; s < subscriptions; s++) {
    const id = subscriptionId(s);
    records.push({
      subscriptionId: id,
      displayName: `Contoso workload ${s}`,
      lastScanId: SCAN,
      lastScanAt: NOW.toISOString(),
      outcome: 'complete',
      lastCompleteScanId: SCAN,
      lastCompleteAt: NOW.toISOString(),
      counts: perSub.get(id) ?? emptyCounts(),
    });
  }
  const summary: StatusSummary = {
    lastScan: {
      id: SCAN,
      trigger: 'timer',
      startedAt: '2026-11-26T07:50:00.000Z',
      endedAt: '2026-11-26T07:59:00.000Z',
      status: 'succeeded',
      subscriptions,
      subscriptionsComplete: subscriptions,
      resources: count,
      counts: totals,
      incomplete: [],
      incompleteTotal: 0,
      ruleErrors: 0,
    },
    previousScanId: 'scan-20261125-0800',
    lastSucceededAt: '2026-11-26T07:59:00.000Z',
    totals,
    deadlines: RULES.filter((r) => r.deadline).map((r) => ({
      ruleId: r.id,
      deadline: r.deadline as string,
      count: deadlines.get(r.id) ?? 0,
      service: r.service,
    })),
  };
  return { findings, subscriptions: records, summary };
}
