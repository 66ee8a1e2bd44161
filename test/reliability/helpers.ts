// Shared by the reliability suite: what the store holds, what a fresh in-memory evaluation expects, tenant edits.
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import type { FindingStore } from '../../src/app/ports.js';
import { runScan } from '../../src/app/run-scan.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import type { Stack } from '../support/stack.js';
import { scanExport } from '../../src/app/scan-export.js';
import { findingKey } from '../../src/core/finding.js';
import type { StoredFinding } from '../../src/core/lifecycle.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

export const CLASSIC_VM = 'microsoft.classiccompute/virtualmachines';

export function subscriptionIds(tenant: Tenant): string[] {
  return tenant.subscriptions.map((s) => s.subscriptionId);
}

/** Every stored finding of the tenant's subscriptions (every partition read in full), by finding key. */
export async function storedFindings(
  store: FindingStore,
  subscriptions: readonly string[],
): Promise<Map<string, StoredFinding>> {
  const out = new Map<string, StoredFinding>();
  const partitions = await Promise.all(subscriptions.map((s) => store.loadFindings(s)));
  for (const findings of partitions) {
    for (const f of findings) {
      const key = findingKey(f);
      if (out.has(key)) throw new Error(`finding stored twice: ${key}`);
      out.set(key, f);
    }
  }
  return out;
}

/**
 * The open findings a scan in one process stores for the same tenant (in its own tables, `<prefix>ref`): the
 * reference a queued scan must equal. (A fresh offline evaluation would miss the Manual retirements' published
 * queries, which only a live scan runs.)
 */
export async function inProcessKeys(
  stack: Stack,
  subscriptions: readonly string[],
): Promise<Set<string>> {
  const store = new TableFindingStore({
    connection: { kind: 'connectionString', value: stack.azurite.connectionString },
    prefix: `${stack.prefix}ref`,
  });
  const record = await runScan(stack.deps({ store }), {
    scope: { kind: 'tenant' },
    trigger: 'cli',
  });
  if (record.status !== 'succeeded')
    throw new Error(`the reference scan ended ${record.status}: ${record.error ?? ''}`);
  return openKeys(await storedFindings(store, subscriptions));
}

export function openKeys(stored: ReadonlyMap<string, StoredFinding>): Set<string> {
  return new Set([...stored].filter(([, f]) => f.status === 'open').map(([k]) => k));
}

/** The open finding keys a fresh, whole-tenant, in-memory evaluation of the same rows gives. */
export function expectedKeys(tenant: Tenant, now = new Date()): Set<string> {
  // The retirement sources' rows too (Advisor, Service Health): `scan --input` takes the three tables mixed.
  const rows = [
    ...tenant.resources,
    ...(tenant.authorizationResources ?? []),
    ...(tenant.advisorResources ?? []),
    ...(tenant.serviceHealthResources ?? []),
  ];
  const result = scanExport(rows, { rules: DEFAULT_CATALOG, now });
  if (result.ruleErrors.length > 0)
    throw new Error(`rule errors in the reference evaluation: ${result.ruleErrors[0]?.message}`);
  return new Set(result.report.findings.map((f) => findingKey(f)));
}

/** Elements of `a` missing from `b` and of `b` missing from `a` (a readable diff for expect). */
export function setDiff(a: ReadonlySet<string>, b: ReadonlySet<string>) {
  return {
    missing: [...a].filter((k) => !b.has(k)).slice(0, 10),
    unexpected: [...b].filter((k) => !a.has(k)).slice(0, 10),
  };
}

/** Subscriptions with the most classic VMs first. */
export function busiestSubscriptions(tenant: Tenant): string[] {
  const vms = new Map<string, number>();
  for (const r of tenant.resources) {
    if (String(r.type).toLowerCase() !== CLASSIC_VM) continue;
    const sub = String(r.subscriptionId);
    vms.set(sub, (vms.get(sub) ?? 0) + 1);
  }
  return [...vms].sort((a, b) => b[1] - a[1]).map(([s]) => s);
}

/** The tenant without the first `count` classic VMs of each of `subscriptions` (each has a retirement finding). */
export function withoutVms(
  tenant: Tenant,
  subscriptions: readonly string[],
  count: number,
): { tenant: Tenant; removed: string[] } {
  const left = new Map(subscriptions.map((s) => [s.toLowerCase(), count]));
  const removed: string[] = [];
  const resources = tenant.resources.filter((r) => {
    const sub = String(r.subscriptionId).toLowerCase();
    const budget = left.get(sub) ?? 0;
    if (budget === 0 || String(r.type).toLowerCase() !== CLASSIC_VM) return true;
    left.set(sub, budget - 1);
    removed.push(String(r.id).toLowerCase());
    return false;
  });
  return { tenant: { ...tenant, resources }, removed };
}
