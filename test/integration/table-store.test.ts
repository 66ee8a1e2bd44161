// The Table Storage adapter through the real @azure/data-tables client against Azurite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import { encodeKey } from '../../src/adapters/tables/keys.js';
import { AlreadyRunningError, LeaseLostError } from '../../src/app/ports.js';
import { emptyCounts, type StoredFinding } from '../../src/core/lifecycle.js';

let azurite: RunningAzurite;
let n = 0;
function store(): TableFindingStore {
  return new TableFindingStore({
    connection: { kind: 'connectionString', value: azurite.connectionString },
    prefix: `t${++n}x`,
  });
}

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const SUB = '11111111-2222-3333-4444-555555555555';
function stored(i: number, name = `vm-${i}`): StoredFinding {
  return {
    subscriptionId: SUB,
    ruleId: 'classic/vm-endpoint-acl',
    severity: 'blocker',
    resourceId: `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
    resourceName: name,
    resourceType: 'microsoft.classiccompute/virtualmachines',
    resourceGroup: 'RG',
    message: `endpoint ACL on ${name}`,
    status: 'open',
    firstSeen: '2026-11-26T00:00:00.000Z',
    firstSeenScan: 'scan-1',
  };
}

describe('keys', () => {
  it('never contain characters Table Storage forbids, and stay under 1 KiB', () => {
    for (const id of [
      '/subscriptions/x/a#b?c\\d',
      'tab\there\u0001',
      'é/ü/漢字',
      'x'.repeat(5000),
    ]) {
      const key = encodeKey(id);
      expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
      expect(key.length).toBeLessThanOrEqual(512);
    }
    expect(encodeKey('/A/B')).toBe(encodeKey('/a/b'));
  });
});

describe('TableFindingStore against Azurite', () => {
  it('writes 250 findings in transactions of at most 100 and reads them back, hostile names included', async () => {
    const s = store();
    const findings = Array.from({ length: 250 }, (_, i) => stored(i));
    findings.push(stored(999, `vm-<script>alert("x")</script>#?\\`));
    expect(await s.writeFindings(SUB, findings)).toBe(251);
    const back = await s.loadFindings(SUB);
    expect(back).toHaveLength(251);
    expect(back.find((f) => f.resourceName.startsWith('vm-<script>'))?.resourceName).toBe(
      `vm-<script>alert("x")</script>#?\\`,
    );
    expect(s.writes()).toBe(251);
    // An upsert replaces: the same findings again do not duplicate.
    await s.writeFindings(SUB, [
      { ...stored(1), status: 'resolved', resolvedAt: '2026-11-27T00:00:00.000Z' },
    ]);
    const again = await s.loadFindings(SUB);
    expect(again).toHaveLength(251);
    expect(again.find((f) => f.resourceName === 'vm-1')).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-11-27T00:00:00.000Z',
    });
  });

  it("filters by a list of rules (the dashboard's service filter), short lists in the query, long ones here", async () => {
    const s = store();
    const rules = Array.from({ length: 10 }, (_, i) => `retirement/r${i}`);
    await s.writeFindings(
      SUB,
      rules.flatMap((ruleId, r) =>
        Array.from({ length: 3 }, (_, i) => ({ ...stored(r * 10 + i), ruleId })),
      ),
    );
    const all = async (ruleIds: readonly string[]) => {
      const out: StoredFinding[] = [];
      let next: string | undefined;
      do {
        const page = await s.queryFindings({ status: 'open', ruleIds }, 4, next);
        out.push(...page.items);
        next = page.next;
      } while (next);
      return out;
    };
    const two = await all(['retirement/r1', "retirement/r2' or 'a' eq 'a"]);
    expect(new Set(two.map((f) => f.ruleId))).toEqual(new Set(['retirement/r1']));
    expect(two).toHaveLength(3);
    const eight = await all(rules.slice(0, 8));
    expect(eight).toHaveLength(24);
    expect(new Set(eight.map((f) => f.ruleId))).toEqual(new Set(rules.slice(0, 8)));
    expect(await all([])).toEqual([]);
  });

  it('keeps one scan at a time with a lease that expires', async () => {
    const s = store();
    const now = new Date('2026-11-26T10:00:00Z');
    const lease = await s.acquireLease('scan-a', 60, now);
    await expect(s.acquireLease('scan-b', 60, now)).rejects.toBeInstanceOf(AlreadyRunningError);
    // A crashed holder's lease expires.
    const later = new Date(now.getTime() + 61_000);
    const taken = await s.acquireLease('scan-c', 60, later);
    expect(taken.holder).toBe('scan-c');
    // The old holder can neither renew the lease nor free it: it is the new holder's (ETag).
    await expect(lease.renew(later)).rejects.toBeInstanceOf(LeaseLostError);
    await lease.release();
    await expect(s.acquireLease('scan-d', 60, later)).rejects.toBeInstanceOf(AlreadyRunningError);
    expect(await s.readLease()).toMatchObject({ holder: 'scan-c' });
    // The new holder's renewal and release work as before.
    await taken.renew(later);
    await taken.release();
    const next = await s.acquireLease('scan-d', 60, later);
    await next.release();
    expect(await s.readLease()).toBeUndefined();
  });

  it('lets exactly one of two simultaneous callers take the lease', async () => {
    const s = store();
    const now = new Date();
    const results = await Promise.allSettled([
      s.acquireLease('a', 60, now),
      s.acquireLease('b', 60, now),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected && rejected.status === 'rejected' && rejected.reason).toBeInstanceOf(
      AlreadyRunningError,
    );
  });

  it('returns no status before the first scan and 404-free reads of unknown subscriptions', async () => {
    const s = store();
    expect(await s.readStatus()).toBeUndefined();
    expect(await s.readSubscription(SUB)).toBeUndefined();
    expect(await s.loadSubscriptions()).toEqual([]);
  });
});

describe('subscription markers', () => {
  it('marks subscriptions reconciled at once in shared transactions, keeping their records but the hash', async () => {
    const s = store();
    const ids = Array.from(
      { length: 250 },
      (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    await s.writeSubscriptions([
      {
        subscriptionId: ids[0] as string,
        displayName: 'Kept',
        lastScanId: 'scan-1',
        lastScanAt: '2026-11-30T00:00:00.000Z',
        outcome: 'complete',
        findingsHash: 'abc',
        counts: emptyCounts(),
      },
    ]);
    const before = s.writes();
    await Promise.all(ids.map((id) => s.markSubscription(id)));
    expect(s.writes() - before).toBe(ids.length);
    const { markers, requests } = s.markerWrites();
    expect(markers).toBe(ids.length);
    // The first alone, then those that arrived meanwhile, 100 a transaction.
    expect(requests).toBeLessThanOrEqual(4);
    const records = await s.loadSubscriptions();
    expect(records.map((r) => r.subscriptionId).sort()).toEqual(ids);
    const kept = records.find((r) => r.subscriptionId === ids[0]);
    expect(kept?.displayName).toBe('Kept');
    expect(kept?.findingsHash ?? '').toBe('');
  });
});
