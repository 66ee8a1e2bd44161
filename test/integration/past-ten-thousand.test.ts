// A tenant past Resource Graph's 10,000-subscription cap: listed through ARM, queried in explicit batches of at
// most 1,000, every subscription scanned — none silently left out. Few resources, so it stays quick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED_SUBSCRIPTIONS } from '../../dev/emulators/resource-graph/server.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { startStack, type Stack } from '../support/stack.js';
import { exportTenant } from '../../src/app/export-tenant.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

const SUBSCRIPTIONS = 12_000;

describe('a tenant of 12,000 subscriptions', () => {
  let stack: Stack;
  const tenant = syntheticTenant({ subscriptions: SUBSCRIPTIONS, resources: 400, seed: 12 });

  beforeAll(async () => {
    stack = await startStack({
      tenant,
      lister: true,
      // The emulator's own default cap (10,000); a large quota so the test is not paced.
      quota: { requests: 100_000, windowMs: 1_000 },
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('is scanned completely at tenant scope, in explicit batches under the cap', async () => {
    stack.graph.resetStats();
    const writesBefore = stack.store.writes();
    const record = await stack.scan({ kind: 'tenant' });
    // A subscription with nothing to store costs its record only (written in transactions of 100), not a
    // marker entity of its own as well.
    expect(stack.store.writes() - writesBefore).toBeLessThan(SUBSCRIPTIONS + 3 * record.counts.new);
    expect(record.status).toBe('succeeded');
    expect(record.subscriptions).toBe(SUBSCRIPTIONS);
    expect(record.subscriptionsComplete).toBe(SUBSCRIPTIONS);
    expect(record.incompleteTotal).toBe(0);
    const stored = await stack.store.loadSubscriptions();
    expect(stored).toHaveLength(SUBSCRIPTIONS);
    expect(stored.filter((s) => s.outcome !== 'complete')).toEqual([]);
    const requests = stack.graph.requests;
    // Every Resource Graph request listed its subscriptions (but the catalog's, tenant-level rows)...
    const listed = requests.filter((r) => r.subscriptions);
    expect(Math.max(...listed.map((r) => r.subscriptions?.length ?? 0))).toBeLessThanOrEqual(
      MAX_LISTED_SUBSCRIPTIONS,
    );
    const covered = new Set(listed.flatMap((r) => r.subscriptions ?? []));
    expect(covered.size).toBe(SUBSCRIPTIONS);
    const unlisted = requests.filter((r) => !r.subscriptions && !r.managementGroups);
    expect(unlisted.every((r) => /microsoft\.advisor\/metadata/i.test(r.query))).toBe(true);
    expect(requests.every((r) => r.status === 200)).toBe(true);
    expect(stack.graph.stats().armRequests).toBeGreaterThanOrEqual(SUBSCRIPTIONS / 1000);
  }, 300_000);

  it('is scanned completely at management-group scope too', async () => {
    const record = await stack.scan({ kind: 'managementGroups', ids: ['synthetic-root'] });
    expect(record.status).toBe('succeeded');
    expect(record.subscriptions).toBe(SUBSCRIPTIONS);
    expect(record.subscriptionsComplete).toBe(SUBSCRIPTIONS);
  }, 300_000);

  it('is exported completely at tenant scope when listed through ARM, and refused without it', async () => {
    const rows: unknown[] = [];
    const result = await exportTenant(
      { source: stack.source(), rules: DEFAULT_CATALOG, lister: stack.lister() },
      { kind: 'tenant' },
      (row) => void rows.push(row),
    );
    expect(result.subscriptions).toBe(SUBSCRIPTIONS);
    expect(rows).toHaveLength(result.rows);
    // Without the listing Resource Graph answers for 10,000 of them: the export stops, it does not pass that off.
    await expect(
      exportTenant(
        { source: stack.source(), rules: DEFAULT_CATALOG },
        { kind: 'tenant' },
        () => undefined,
      ),
    ).rejects.toThrow(/first 10,000 subscriptions/);
  }, 300_000);
});
