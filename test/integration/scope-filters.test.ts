// Scope filters and forbidden subscriptions: what is left out costs no query, and one unreadable subscription does not sink its batch.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIPTION, DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import type { ScopeFilter } from '../../src/app/ports.js';
import type { StoredFinding } from '../../src/core/lifecycle.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('scope filters', () => {
  it('an excluded subscription of an explicit list is never queried', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const excluded = DEMO_SUBSCRIPTION.renderFarm;
    const record = await stack.scan(
      { kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] },
      { filter: { excludeSubscriptions: [excluded] } },
    );
    expect(record.status).toBe('succeeded');
    expect(record.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length - 1);
    const requested = stack.graph.requests.flatMap((r) => r.subscriptions ?? []);
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.map((s) => s.toLowerCase())).not.toContain(excluded);
    expect(await stack.store.loadFindings(excluded)).toEqual([]);
  });

  it('tenant-wide, exclusions go into the queries: no row of the excluded parts comes back', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const excluded = DEMO_SUBSCRIPTION.renderFarm;
    const record = await stack.scan(
      { kind: 'tenant' },
      {
        filter: {
          excludeSubscriptions: [excluded],
          excludeTypes: ['microsoft.classicnetwork/reservedips'],
          excludeTags: [{ key: 'owner', value: 'alice@contoso.com' }],
        },
      },
    );
    expect(record.status).toBe('succeeded');
    expect(
      stack.graph.requests.every((r) => r.query.includes(`subscriptionId !in~ ('${excluded}')`)),
    ).toBe(true);
    const stored = (
      await Promise.all(DEMO_SUBSCRIPTIONS.map((s) => stack!.store.loadFindings(s)))
    ).flat();
    expect(stored.some((f) => f.subscriptionId === excluded)).toBe(false);
    expect(stored.some((f) => f.resourceType === 'microsoft.classicnetwork/reservedips')).toBe(
      false,
    );
    expect(
      stored.some(
        (f) =>
          (f.owners ?? '').includes('alice@contoso.com') &&
          f.ownerReason?.includes('on the resource'),
      ),
    ).toBe(false);
    expect(record.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length - 1);
  });

  it('a resource group excluded later keeps its stored findings as they were', async () => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan();
    const before = (await stack.store.loadFindings(DEMO_SUBSCRIPTION.classicApps)).filter(
      (f) => f.status === 'open',
    );
    const group = before[0]?.resourceGroup as string;
    const inGroup = before.filter((f) => f.resourceGroup === group).length;
    expect(inGroup).toBeGreaterThan(0);
    const record = await stack.scan(
      { kind: 'tenant' },
      { filter: { excludeResourceGroups: [group.toUpperCase()] } },
    );
    expect(record.counts.resolved).toBe(0);
    const after = (await stack.store.loadFindings(DEMO_SUBSCRIPTION.classicApps)).filter(
      (f) => f.resourceGroup === group,
    );
    expect(after.filter((f) => f.status === 'open')).toHaveLength(inGroup);
  });
});

describe('a filter added later keeps the stored findings of what it leaves out as they were', () => {
  const kinds: [string, (f: StoredFinding) => boolean, (f: StoredFinding) => ScopeFilter][] = [
    [
      'subscription',
      (f) => f.subscriptionId === DEMO_SUBSCRIPTION.renderFarm,
      (f) => ({ excludeSubscriptions: [f.subscriptionId.toUpperCase()] }),
    ],
    [
      'resource group',
      (f) => f.subscriptionId === DEMO_SUBSCRIPTION.classicApps,
      (f) => ({ excludeResourceGroups: [f.resourceGroup.toUpperCase()] }),
    ],
    [
      'type',
      (f) => f.resourceType === 'microsoft.classicnetwork/reservedips',
      (f) => ({ excludeTypes: [f.resourceType.toUpperCase()] }),
    ],
    [
      'tag',
      (f) =>
        (f.owners ?? '').includes('alice@contoso.com') &&
        !!f.ownerReason?.includes('on the resource'),
      () => ({ excludeTags: [{ key: 'owner', value: 'alice@contoso.com' }] }),
    ],
  ];
  for (const [kind, pick, filterFor] of kinds) {
    it(`${kind}`, async () => {
      stack = await startStack({ tenant: demoTenant() });
      const owners = { tagNames: ['owner'], defaultRecipients: ['platform@contoso.com'] };
      await stack.scan({ kind: 'tenant' }, { owners });
      const all = async () =>
        (await Promise.all(DEMO_SUBSCRIPTIONS.map((s) => stack!.store.loadFindings(s)))).flat();
      const before = await all();
      const witness = before.find((f) => f.status === 'open' && pick(f));
      expect(witness, `a stored finding the ${kind} filter leaves out`).toBeDefined();
      const filter = filterFor(witness as StoredFinding);
      const record = await stack.scan({ kind: 'tenant' }, { owners, filter });
      expect(record.status).toBe('succeeded');
      expect(record.counts.resolved).toBe(0);
      const after = await all();
      const key = (f: StoredFinding) => `${f.ruleId}|${f.resourceId.toLowerCase()}`;
      const now = new Map(after.map((f) => [key(f), f]));
      for (const f of before) expect(now.get(key(f))?.status, key(f)).toBe(f.status);
    });
  }
});

describe('a subscription the scanner cannot read', () => {
  it('is isolated by halving its batch: the others are scanned, it keeps its findings, the scan is partial', async () => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan({ kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] });
    const locked = DEMO_SUBSCRIPTION.classicApps;
    const before = await stack.store.loadFindings(locked);
    stack.graph.setFaults({ forbiddenSubscriptions: [locked] });
    const record = await stack.scan({ kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] });
    expect(record.status).toBe('partial');
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length - 1);
    expect(record.incomplete).toEqual([
      expect.objectContaining({
        subscriptionId: locked,
        outcome: 'failed',
        reason: expect.stringMatching(/^forbidden/),
      }),
    ]);
    expect(await stack.store.loadFindings(locked)).toEqual(before);
    expect(record.counts.resolved).toBe(0);
  });
});
