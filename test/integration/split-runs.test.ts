// A subscription is reconciled only after all of its rows were seen, whatever the case of their ids: Resource
// Graph sorts `order by id` ordinally, so `/subscriptions/ABC…` rows arrive apart from `/subscriptions/abc…` ones.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import { classicVmRow } from '../../dev/tenants/build.js';
import { findingKey } from '../../src/core/finding.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tenant: { subscriptions: [], resources: [] } });
});
afterAll(async () => {
  await stack.stop();
});

let tenants = 0;
const hex = (n: number) => n.toString(16).padStart(12, '0');

/** A fresh tenant per run (its own subscriptions, so runs never share a partition). */
function tenant(vmsPerSubscription: readonly number[]): { tenant: Tenant; ids: string[] } {
  const run = ++tenants;
  const ids = vmsPerSubscription.map(
    (_, i) => `${(0xa0 + run).toString(16)}c${i}d0e0-0000-4000-8000-${hex(run * 16 + i)}`,
  );
  const resources = ids.flatMap((sub, i) =>
    Array.from({ length: vmsPerSubscription[i] as number }, (_, v) =>
      classicVmRow({
        subscriptionId: sub,
        name: `vm${v}`,
        cloudService: `cs${v}`,
        osDisk: { account: 'disks', blob: `vm${v}.vhd` },
        // An endpoint ACL: a blocker on top of the classic VM retirement.
        endpoints: [
          {
            endpointName: 'rdp',
            protocol: 'tcp',
            publicPort: 3389,
            privatePort: 3389,
            ...(v % 2 === 0
              ? {
                  endpointAcl: {
                    rules: [{ order: 100, action: 'permit', remoteSubnet: '10.0.0.0/8' }],
                  },
                }
              : {}),
          },
        ],
      }),
    ),
  );
  return {
    tenant: {
      subscriptions: ids.map((subscriptionId) => ({ subscriptionId, displayName: subscriptionId })),
      resources,
    },
    ids,
  };
}

/** The subscription segment of each id upper-cased or not, as `upper[i]` says. */
function recase(t: Tenant, upper: readonly boolean[]): Tenant {
  return {
    ...t,
    resources: t.resources.map((row, i) => {
      if (!upper[i % upper.length]) return row;
      const id = String(row.id).replace(/^\/subscriptions\/([^/]+)/i, (_m, s: string) => {
        return `/subscriptions/${s.toUpperCase()}`;
      });
      return { ...row, id };
    }),
  };
}

async function storedOf(ids: readonly string[]) {
  return (await Promise.all(ids.map((s) => stack.store.loadFindings(s)))).flat();
}

describe('rows of one subscription in several runs', () => {
  it('no finding of a resource still present is ever resolved, and the record counts what the store holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        async (sizes, casing1, casing2, pageSize, removed) => {
          const { tenant: t, ids } = tenant(sizes);
          const scope = { kind: 'subscriptions' as const, ids };
          const source = () => stack.source({ pageSize });
          stack.graph.setTenant(recase(t, casing1));
          const first = await stack.scan(scope, { source: source() });
          expect(first.status).toBe('succeeded');
          // The same tenant in other casing, some resources gone.
          const kept = t.resources.filter((_, i) => !removed[i % removed.length] || i === 0);
          const gone = new Set(
            t.resources.filter((r) => !kept.includes(r)).map((r) => String(r.id).toLowerCase()),
          );
          stack.graph.setTenant(recase({ ...t, resources: kept }, casing2));
          const second = await stack.scan(scope, { source: source() });
          expect(second.status).toBe('succeeded');
          const stored = await storedOf(ids);
          const wrongly = stored.filter(
            (f) => f.status === 'resolved' && !gone.has(f.resourceId.toLowerCase()),
          );
          expect(wrongly.map((f) => findingKey(f))).toEqual([]);
          const resolvedNow = stored.filter((f) => f.resolvedScan === second.id).length;
          expect(second.counts.resolved).toBe(resolvedNow);
          expect(second.counts.open).toBe(stored.filter((f) => f.status === 'open').length);
          expect(second.counts.new).toBe(0);
        },
      ),
      {
        numRuns: 12,
        // The case the issue reproduced: one subscription's rows split by an upper-case id, one row a page.
        examples: [[[3, 2], [false, true, false, false, false], [false], 1, [false]]],
      },
    );
  });
});
