// Resource Graph misbehaving — 429 storms, 5xx, slow and hanging pages, a forbidden subscription — on real parts:
// the scan either succeeds with exactly the findings a fresh evaluation gives, or ends partial, names what it
// could not read and why, resolves nothing it did not see, and the next healthy scan reconciles.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import type { ResourceGraphSourceOptions } from '../../src/adapters/resource-graph/source.js';
import { readStatus } from '../../src/app/read-status.js';
import type { ScanRecord } from '../../src/app/ports.js';
import type { StoredFinding } from '../../src/core/lifecycle.js';
import { startStack, type Stack } from '../support/stack.js';
import {
  busiestSubscriptions,
  expectedKeys,
  openKeys,
  setDiff,
  storedFindings,
  subscriptionIds,
  withoutVms,
} from './helpers.js';

const TENANT = syntheticTenant({ subscriptions: 6, resources: 360, seed: 21 });
const SUBS = subscriptionIds(TENANT);
/** The one query that reads the rows findings are made of (classic and retiring types). */
const TARGETS = 'classiccompute';

let stack: Stack;
let store: TableFindingStore;
let tables = 0;
beforeAll(async () => {
  stack = await startStack({ tenant: TENANT, quota: { requests: 50, windowMs: 200 } });
});
afterAll(async () => {
  await stack?.stop();
});
// Each test: a store of its own (fresh tables), the original tenant, no faults, fresh counters.
beforeEach(() => {
  store = new TableFindingStore({
    connection: { kind: 'connectionString', value: stack.azurite.connectionString },
    prefix: `${stack.prefix}r${++tables}`,
  });
  stack.graph.setTenant(TENANT);
  stack.graph.setFaults({});
  stack.graph.resetStats();
});

function scan(
  source: Partial<ResourceGraphSourceOptions> = {},
  scope: Parameters<Stack['scan']>[0] = { kind: 'tenant' },
): Promise<ScanRecord> {
  return stack.scan(scope, { store, source: stack.source({ pageSize: 50, ...source }) });
}

/** The store holds exactly what a fresh in-memory evaluation of the tenant finds, and the record agrees. */
async function expectReconciled(record: ScanRecord, tenant: Tenant): Promise<void> {
  expect(record.status).toBe('succeeded');
  expect(record.subscriptionsComplete).toBe(tenant.subscriptions.length);
  const stored = await storedFindings(store, subscriptionIds(tenant));
  const open = openKeys(stored);
  expect(setDiff(expectedKeys(tenant), open)).toEqual({ missing: [], unexpected: [] });
  expect(record.counts.open).toBe(open.size);
  const status = await readStatus(store, new Date());
  expect(status.lastScan).toMatchObject({ id: record.id, status: 'succeeded' });
  expect(status.findings.open).toBe(open.size);
}

function partitionOf(stored: ReadonlyMap<string, StoredFinding>, subs: readonly string[]) {
  const wanted = new Set(subs.map((s) => s.toLowerCase()));
  return [...stored.values()]
    .filter((f) => wanted.has(f.subscriptionId.toLowerCase()))
    .sort((a, b) => (a.ruleId + a.resourceId < b.ruleId + b.resourceId ? -1 : 1));
}

describe('Resource Graph faults that retries absorb', () => {
  it('a 429 storm: each Retry-After honoured, every 429 counted, and the scan succeeds', async () => {
    stack.graph.setFaults({ throttleStorm: 5 });
    // Five 429s in a row land on the first page: more attempts than that are needed.
    const record = await scan({ maxAttempts: 8 });
    expect(record.source).toMatchObject({ throttled429: 5, retries: 5 });
    expect(stack.graph.stats().throttled).toBe(5);
    // Honoured: each retry came no sooner than the Retry-After (1 s) of the 429 before it.
    const arrivals = stack.graph.requests.slice(0, 6).map((r) => r.at);
    expect(stack.graph.requests.slice(0, 6).map((r) => r.status)).toEqual([
      429, 429, 429, 429, 429, 200,
    ]);
    for (let i = 1; i < arrivals.length; i++)
      expect((arrivals[i] as number) - (arrivals[i - 1] as number)).toBeGreaterThanOrEqual(900);
    await expectReconciled(record, TENANT);
  });

  it('5xx on a later page of the findings query: retried, no row lost or doubled, and the scan succeeds', async () => {
    stack.graph.setFaults({
      rules: [{ when: { page: 1, queryContains: TARGETS }, respond: { status: 503 }, times: 2 }],
    });
    const record = await scan();
    const failed = stack.graph.requests.filter((r) => r.status === 503);
    expect(failed.map((r) => r.page)).toEqual([1, 1]);
    expect(record.source?.retries).toBe(2);
    // Every target row counted once: the retried page was not taken twice.
    const targetRows = stack.graph.requests
      .filter((r) => r.status === 200 && r.query.includes(TARGETS))
      .reduce((n, r) => n + r.rows, 0);
    expect(record.resources).toBe(targetRows);
    await expectReconciled(record, TENANT);
  });

  it('random 500s on a fifth of the requests: retried, and the scan succeeds', async () => {
    stack.graph.setFaults({ errorRate: 0.2, seed: 7 });
    const record = await scan({ maxAttempts: 6 });
    expect(stack.graph.stats().failed).toBeGreaterThan(0);
    expect(record.source?.retries).toBe(stack.graph.stats().failed);
    await expectReconciled(record, TENANT);
  });

  it('slow pages (latency on every answer) within the page timeout: no retry, and the scan succeeds', async () => {
    stack.graph.setFaults({ latencyMs: 120 });
    const record = await scan({ pageSize: 100, pageTimeoutMs: 5_000 });
    expect(record.source?.retries).toBe(0);
    expect(stack.graph.stats().failed).toBe(0);
    await expectReconciled(record, TENANT);
  });

  it('a page that never answers, once: abandoned at the page timeout, retried, and the scan succeeds', async () => {
    stack.graph.setFaults({
      rules: [
        {
          when: { page: 1, queryContains: TARGETS },
          respond: { status: 200, hang: true },
          times: 1,
        },
      ],
    });
    const record = await scan({ pageTimeoutMs: 1_500 });
    const hung = stack.graph.requests.filter((r) => r.status === 0);
    expect(hung).toHaveLength(1);
    expect(hung[0]?.page).toBe(1);
    // The same page was asked again (same skip token) and answered.
    const retried = stack.graph.requests.filter(
      (r) => r.skipToken === hung[0]?.skipToken && r.status === 200,
    );
    expect(retried).toHaveLength(1);
    expect(record.source?.retries).toBe(1);
    await expectReconciled(record, TENANT);
  });
});

describe('Resource Graph faults that leave a scan partial', () => {
  // Explicit subscription scope in batches of three: the busiest subscription leads the first batch,
  // the second busiest leads the second.
  const [victim, other] = busiestSubscriptions(TENANT) as [string, string];
  const rest = SUBS.filter((s) => s !== victim && s !== other);
  const ids = [victim, rest[0], rest[1], other, rest[2], rest[3]] as string[];
  const scope = { kind: 'subscriptions' as const, ids };
  const firstBatch = ids.slice(0, 3);
  const secondBatch = ids.slice(3);
  // Classic VMs go away in both batches: the scan that cannot read the first batch must not resolve
  // its findings, but does resolve those of the second.
  const { tenant: shrunk, removed } = withoutVms(TENANT, [victim, other], 3);
  const removedIn = (subs: readonly string[]) =>
    removed.filter((id) => subs.some((s) => id.startsWith(`/subscriptions/${s.toLowerCase()}/`)));

  it('a page that never answers, on every attempt: partial, the batch named with the timeout, nothing resolved unseen; the next scan reconciles', async () => {
    const source = { batchSize: 3, pageTimeoutMs: 1_500, maxAttempts: 2 };
    await expectReconciled(await scan(source, scope), TENANT);
    const before = await storedFindings(store, SUBS);

    stack.graph.setTenant(shrunk);
    stack.graph.setFaults({
      rules: [
        {
          when: { subscription: victim, queryContains: TARGETS },
          respond: { status: 200, hang: true },
        },
      ],
    });
    const partial = await scan(source, scope);
    expect(partial.status).toBe('partial');
    expect(partial.incompleteTotal).toBe(firstBatch.length);
    expect(new Set(partial.incomplete.map((i) => i.subscriptionId))).toEqual(
      new Set(firstBatch.map((s) => s.toLowerCase())),
    );
    for (const i of partial.incomplete) {
      expect(i.outcome).toBe('failed');
      expect(i.reason).toMatch(/^timeout: Resource Graph did not answer within 1500 ms/);
    }
    expect(stack.graph.requests.filter((r) => r.status === 0)).toHaveLength(2);
    expect(partial.subscriptionsComplete).toBe(secondBatch.length);

    const after = await storedFindings(store, SUBS);
    // The batch it could not read: not a single finding touched.
    expect(partitionOf(after, firstBatch)).toEqual(partitionOf(before, firstBatch));
    // The batch it read: exactly the findings of the VMs that went away were resolved, by this scan.
    const resolvedNow = [...after.values()].filter((f) => f.resolvedScan === partial.id);
    expect(resolvedNow.length).toBeGreaterThan(0);
    expect(new Set(resolvedNow.map((f) => f.resourceId.toLowerCase()))).toEqual(
      new Set(removedIn(secondBatch)),
    );
    expect(partial.counts.resolved).toBe(resolvedNow.length);

    stack.graph.setFaults({});
    const healthy = await scan(source, scope);
    await expectReconciled(healthy, shrunk);
    const resolvedLater = [...(await storedFindings(store, SUBS)).values()].filter(
      (f) => f.resolvedScan === healthy.id,
    );
    expect(new Set(resolvedLater.map((f) => f.resourceId.toLowerCase()))).toEqual(
      new Set(removedIn(firstBatch)),
    );
    expect(healthy.counts.resolved).toBe(resolvedLater.length);
  });

  it('403 for one subscription of a batch: partial, only that subscription named, the rest of its batch complete; the next scan reconciles', async () => {
    const source = { batchSize: 3 };
    await expectReconciled(await scan(source, scope), TENANT);
    const before = await storedFindings(store, SUBS);

    stack.graph.setTenant(shrunk);
    stack.graph.setFaults({ forbiddenSubscriptions: [victim] });
    const partial = await scan(source, scope);
    expect(partial.status).toBe('partial');
    expect(partial.incomplete).toHaveLength(1);
    expect(partial.incomplete[0]).toMatchObject({
      subscriptionId: victim.toLowerCase(),
      outcome: 'failed',
    });
    expect(partial.incomplete[0]?.reason).toMatch(/^forbidden: .*403/);
    expect(partial.subscriptionsComplete).toBe(SUBS.length - 1);
    for (const sub of firstBatch.slice(1))
      expect((await store.readSubscription(sub))?.lastCompleteScanId).toBe(partial.id);

    const after = await storedFindings(store, SUBS);
    expect(partitionOf(after, [victim])).toEqual(partitionOf(before, [victim]));
    const resolvedNow = [...after.values()].filter((f) => f.resolvedScan === partial.id);
    expect(new Set(resolvedNow.map((f) => f.resourceId.toLowerCase()))).toEqual(
      new Set(removedIn([other])),
    );
    expect(partial.counts.resolved).toBe(resolvedNow.length);

    stack.graph.setFaults({});
    const healthy = await scan(source, scope);
    await expectReconciled(healthy, shrunk);
    const resolvedLater = [...(await storedFindings(store, SUBS)).values()].filter(
      (f) => f.resolvedScan === healthy.id,
    );
    expect(new Set(resolvedLater.map((f) => f.resourceId.toLowerCase()))).toEqual(
      new Set(removedIn([victim])),
    );
  });
});
