// The ARM listings through the real SDKs (@azure/arm-subscriptions, @azure/arm-managementgroups) against the
// emulator: every page followed on nextLink, only subscriptions kept, forbidden ones absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../dev/emulators/resource-graph/server.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { ArmSubscriptionLister } from '../../src/adapters/arm/subscription-lister.js';
import { emulatorCredential } from '../../src/adapters/credential.js';

describe('ArmSubscriptionLister', () => {
  const tenant = syntheticTenant({ subscriptions: 23, resources: 50, seed: 5 });
  let emulator: RunningEmulator;
  let lister: ArmSubscriptionLister;

  beforeAll(async () => {
    // Pages of 4: the SDKs must follow nextLink five times to see all 23.
    emulator = await startResourceGraphEmulator({ tenant, armPageSize: 4 });
    lister = new ArmSubscriptionLister({
      credential: emulatorCredential,
      endpoint: emulator.url,
      ca: emulator.ca,
    });
  });
  afterAll(() => emulator.close());

  it('lists every subscription of the tenant across pages, with names, at no Resource Graph cost', async () => {
    emulator.resetStats();
    const listed = await lister.list({ kind: 'tenant' });
    expect(listed.map((s) => s.subscriptionId).sort()).toEqual(
      tenant.subscriptions.map((s) => s.subscriptionId).sort(),
    );
    const first = tenant.subscriptions[0];
    expect(listed.find((s) => s.subscriptionId === first?.subscriptionId)?.displayName).toBe(
      first?.displayName,
    );
    expect(emulator.stats()).toMatchObject({ requests: 0, armRequests: 6 });
  });

  it("lists a management group's subscriptions at any depth, not its child groups", async () => {
    const child = tenant.subscriptions.find((s) => (s.managementGroups ?? []).length > 1)
      ?.managementGroups?.[1] as string;
    const under = tenant.subscriptions
      .filter((s) => s.managementGroups?.includes(child))
      .map((s) => s.subscriptionId)
      .sort();
    expect(under.length).toBeGreaterThan(0);
    const listed = await lister.list({ kind: 'managementGroups', ids: [child] });
    expect(listed.map((s) => s.subscriptionId).sort()).toEqual(under);
    const root = await lister.list({ kind: 'managementGroups', ids: ['synthetic-root'] });
    expect(root).toHaveLength(23);
  });

  it('leaves out subscriptions the identity cannot read, and fails on an unknown group', async () => {
    const hidden = tenant.subscriptions[3]?.subscriptionId as string;
    emulator.setFaults({ forbiddenSubscriptions: [hidden] });
    try {
      const listed = await lister.list({ kind: 'tenant' });
      expect(listed).toHaveLength(22);
      expect(listed.some((s) => s.subscriptionId === hidden)).toBe(false);
      await expect(lister.list({ kind: 'managementGroups', ids: ['nope'] })).rejects.toThrow(
        /managementGroups\/nope/,
      );
    } finally {
      emulator.setFaults({});
    }
  });
});
