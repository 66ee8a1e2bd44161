// Findings lifecycle on real parts: new → resolved → reopened, cheap rescans, and a scan killed mid-way.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import { DEMO_SUBSCRIPTIONS, demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { readStatus } from '../../src/app/read-status.js';
import { stateOf } from '../../src/core/lifecycle.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;

/** The demo tenant with the endpoint ACLs of one VM removed. */
function withoutAcl(tenant: Tenant, vmId: string): Tenant {
  return {
    ...tenant,
    resources: tenant.resources.map((row) => {
      if (String(row.id).toLowerCase() !== vmId.toLowerCase()) return row;
      const copy = structuredClone(row) as {
        properties: { networkProfile: { inputEndpoints: { endpointAcl?: unknown }[] } };
      };
      for (const endpoint of copy.properties.networkProfile.inputEndpoints)
        delete endpoint.endpointAcl;
      return copy as unknown as Record<string, unknown>;
    }),
  };
}

describe('findings lifecycle in Table Storage', () => {
  it('takes a finding from new to resolved to reopened across three scans', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    const sub = ACL_VM.split('/')[2] as string;
    const aclFinding = async () =>
      (await stack!.store.loadFindings(sub)).find(
        (f) =>
          f.ruleId === 'classic/vm-endpoint-acl' &&
          f.resourceId.toLowerCase() === ACL_VM.toLowerCase(),
      );

    const first = await stack.scan();
    const f1 = await aclFinding();
    expect(f1 && stateOf(f1, first.id)).toBe('new');

    stack.graph.setTenant(withoutAcl(tenant, ACL_VM));
    const second = await stack.scan();
    expect(second.counts.resolved).toBe(1);
    expect(second.counts.new).toBe(0);
    const f2 = await aclFinding();
    expect(f2 && stateOf(f2, second.id)).toBe('resolved');
    expect(f2?.resolvedAt).toBe(second.startedAt);
    const status2 = await readStatus(stack.store, new Date());
    expect(status2.changes).toMatchObject({ previousScanId: first.id, resolved: 1, new: 0 });

    stack.graph.setTenant(tenant);
    const third = await stack.scan();
    expect(third.counts).toMatchObject({ reopened: 1, new: 0, resolved: 0 });
    const f3 = await aclFinding();
    expect(f3 && stateOf(f3, third.id)).toBe('reopened');
    expect(f3?.firstSeen).toBe(first.startedAt);
    const subscription = await stack.store.readSubscription(sub);
    expect(subscription?.lastCompleteScanId).toBe(third.id);
  });

  it('prunes resolved findings past the retention, and only those', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    const sub = ACL_VM.split('/')[2] as string;
    await stack.scan();
    stack.graph.setTenant(withoutAcl(tenant, ACL_VM));
    await stack.scan();
    const resolved = async () =>
      (await stack!.store.loadFindings(sub)).filter((f) => f.status === 'resolved');
    expect(await resolved()).toHaveLength(1);
    const open = (await stack.store.loadFindings(sub)).filter((f) => f.status === 'open').length;
    // 100 days on: still kept. 181 days on: pruned. Open findings are never pruned.
    const at = (days: number) => () => new Date(Date.now() + days * 86_400_000);
    await stack.scan({ kind: 'tenant' }, { clock: at(100), retentionDays: 180 });
    expect(await resolved()).toHaveLength(1);
    await stack.scan({ kind: 'tenant' }, { clock: at(181), retentionDays: 180 });
    expect(await resolved()).toHaveLength(0);
    expect((await stack.store.loadFindings(sub)).filter((f) => f.status === 'open')).toHaveLength(
      open,
    );
  });

  it('a partial scan resolves nothing it did not see; the next complete scan reconciles', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    const sub = ACL_VM.split('/')[2] as string;
    await stack.scan();
    // The ACL goes away, but the scan cannot read that subscription's classic resources.
    stack.graph.setTenant(withoutAcl(tenant, ACL_VM));
    stack.graph.setFaults({
      rules: [
        { when: { subscription: sub, queryContains: 'classiccompute' }, respond: { status: 503 } },
      ],
    });
    const partial = await stack.scan(
      { kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] },
      { source: stack.source({ batchSize: 1, maxAttempts: 2 }) },
    );
    expect(partial.status).toBe('partial');
    expect(partial.counts.resolved).toBe(0);
    expect((await stack.store.loadFindings(sub)).every((f) => f.status === 'open')).toBe(true);
    const status = await readStatus(stack.store, new Date());
    expect(status.lastScan?.incomplete.map((i) => i.subscriptionId)).toEqual([sub]);

    stack.graph.setFaults({});
    const healthy = await stack.scan();
    expect(healthy.status).toBe('succeeded');
    expect(healthy.counts.resolved).toBe(1);
  });

  it('an unchanged rescan of a synthetic tenant writes O(subscriptions) entities, not O(findings)', async () => {
    const tenant = syntheticTenant({ subscriptions: 30, resources: 2_500, seed: 5 });
    stack = await startStack({ tenant, quota: { requests: 15, windowMs: 200 } });
    const first = await stack.scan();
    const firstWrites = stack.store.writes();
    expect(first.counts.open).toBeGreaterThan(2_000);
    expect(firstWrites).toBeGreaterThan(first.counts.open);
    await stack.scan();
    const rescanWrites = stack.store.writes() - firstWrites;
    // One subscription record each, plus the scan record (twice), the lease, the status and the trend day.
    expect(rescanWrites).toBeLessThanOrEqual(first.subscriptions + 10);
  });

  it('a scan killed mid-way loses no stored finding, and the next scan succeeds', async () => {
    const tenant = syntheticTenant({ subscriptions: 20, resources: 3_000, seed: 9 });
    stack = await startStack({ tenant });
    const baseline = await stack.scan();
    const before = await Promise.all(
      tenant.subscriptions.map((s) => stack!.store.loadFindings(s.subscriptionId)),
    );
    const stored = before.flat().length;
    expect(stored).toBe(baseline.counts.open);

    // A real scan in another process, slowed by latency, killed once it is storing.
    stack.graph.setFaults({ latencyMs: 150 });
    stack.graph.resetStats();
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../../dist/dev/scan-once.js')],
      {
        env: {
          ...process.env,
          ...stack.env(),
          SCAN_SCOPE: 'tenant',
          RESOURCE_GRAPH_PAGE_SIZE: '100',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const deadline = Date.now() + 20_000;
    while (stack.graph.stats().served < 8 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(stack.graph.stats().served, output).toBeGreaterThanOrEqual(8);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();

    const after = (
      await Promise.all(
        tenant.subscriptions.map((s) => stack!.store.loadFindings(s.subscriptionId)),
      )
    ).flat();
    expect(after.length).toBe(stored);
    expect(after.filter((f) => f.status === 'resolved')).toHaveLength(0);

    // The killed scan's lease is still there until it expires; once it has, the next scan runs and succeeds.
    stack.graph.setFaults({});
    await expect(stack.scan()).rejects.toThrow(/already running/);
    const later = () => new Date(Date.now() + 16 * 60_000);
    const next = await stack.scan({ kind: 'tenant' }, { clock: later });
    expect(next.status).toBe('succeeded');
    expect(next.counts).toMatchObject({ open: baseline.counts.open, new: 0, resolved: 0 });
  });
});
