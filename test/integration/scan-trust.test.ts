// A scan's record tells the truth: it stops when its lease is lost, counts only its own traffic, always ends,
// and calls an answer Resource Graph itself says is incomplete partial.
import { afterEach, describe, expect, it } from 'vitest';
import { demoTenant, DEMO_SUBSCRIPTIONS } from '../../dev/tenants/demo.js';
import { runScan } from '../../src/app/run-scan.js';
import {
  AlreadyRunningError,
  type FindingStore,
  type Lease,
  type ScanRecord,
} from '../../src/app/ports.js';
import { ABANDONED } from '../../src/app/scan/abandoned.js';
import { cachedSummary } from '../../src/app/read-status.js';
import { repairAbandonedScans } from '../../src/app/scan/abandoned.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The store with some methods replaced. */
function withStore(store: FindingStore, overrides: Partial<FindingStore>): FindingStore {
  return new Proxy(store, {
    get: (target, property, receiver) =>
      property in overrides
        ? overrides[property as keyof FindingStore]
        : (Reflect.get(target, property, receiver) as unknown),
  }) as FindingStore;
}

describe('a scan that loses its lease', () => {
  it('stops writing once a renewal is refused, and ends failed with the reason', async () => {
    stack = await startStack({ tenant: demoTenant(), faults: { latencyMs: 150 } });
    const running = stack.scan({ kind: 'tenant' }, { leaseSeconds: 30, renewEveryMs: 100 });
    await until(() => stack!.graph.stats().requests >= 2, 'the scan to start paging');
    // Another scan takes the lease over (as it would once this one's lease had expired).
    // (Its renewals move the ETag every 100 ms: the takeover may lose that race a few times.)
    const takeOver = async (attempts = 50): Promise<Lease> => {
      try {
        return await stack!.store.acquireLease('intruder', 600, new Date(Date.now() + 3_600_000));
      } catch (error) {
        if (!(error instanceof AlreadyRunningError) || attempts <= 1) throw error;
        await new Promise((r) => setTimeout(r, 10));
        return takeOver(attempts - 1);
      }
    };
    const intruder = await takeOver();
    const record = await running;
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/lease lost/);
    // It wrote nothing a scan writes at its end, and left the new holder's lease alone.
    expect(await stack.store.readStatus()).toBeUndefined();
    expect(await stack.store.readLease()).toMatchObject({ holder: 'intruder' });
    const [stored] = await stack.store.listScans(1);
    expect(stored).toMatchObject({ id: record.id, status: 'failed' });
    await intruder.release();
  });
});

describe('scan figures', () => {
  it('are per scan, even when one source serves every scan of the process', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const source = stack.source();
    const first = await stack.scan({ kind: 'tenant' }, { source });
    const second = await stack.scan({ kind: 'tenant' }, { source });
    expect(first.source?.pages).toBeGreaterThan(0);
    expect(second.source?.pages).toBe(first.source?.pages);
    expect(second.source?.rows).toBe(first.source?.rows);
    expect(second.source?.throttled429).toBe(0);
  });
});

describe('every started scan ends', () => {
  it('ends failed, not running, when a store read after the start record throws', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const store = withStore(stack.store, {
      loadSubscriptions: () => Promise.reject(new Error('storage went away')),
    });
    const record = await runScan(stack.deps({ store }), {
      scope: { kind: 'tenant' },
      trigger: 'cli',
    }).catch(() => undefined);
    const [stored] = await stack.store.listScans(1);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toMatch(/storage went away/);
    if (record) expect(record.status).toBe('failed');
  });

  it('retries the final write of its record', async () => {
    stack = await startStack({ tenant: demoTenant() });
    let writes = 0;
    const real = stack.store;
    const store = withStore(real, {
      writeScan: (record: ScanRecord) =>
        ++writes === 2 ? Promise.reject(new Error('503 server busy')) : real.writeScan(record),
    });
    const record = await runScan(stack.deps({ store, retryBaseMs: 10 }), {
      scope: { kind: 'tenant' },
      trigger: 'cli',
    });
    expect(record.status).toBe('succeeded');
    const [stored] = await real.listScans(1);
    expect(stored).toMatchObject({ id: record.id, status: 'succeeded' });
  });

  it('a record left running by a dead scan is marked failed: abandoned, by the next scan or a status read', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const first = await stack.scan();
    const dead = (id: string, startedAt: string): ScanRecord => ({
      ...first,
      id,
      startedAt,
      status: 'running',
      endedAt: undefined,
    });
    // Its lease expired long ago (there is none now).
    await stack.store.writeScan(dead('scan-dead-1', new Date(Date.now() - 60_000).toISOString()));
    const next = await stack.scan();
    const scans = await stack.store.listScans(5);
    expect(scans.find((s) => s.id === 'scan-dead-1')).toMatchObject({
      status: 'failed',
      error: ABANDONED,
    });
    expect(scans.some((s) => s.status === 'running')).toBe(false);
    const status = await stack.store.readStatus();
    expect(status?.recentScans?.map((s) => s.id)).toEqual(
      expect.arrayContaining([next.id, 'scan-dead-1']),
    );

    // The status read repairs one too, as long as no live lease holds it.
    await stack.store.writeScan(dead('scan-dead-2', new Date(Date.now() - 1_000).toISOString()));
    const lease = await stack.store.acquireLease('scan-dead-2', 600, new Date());
    const read = cachedSummary(stack.store, 0, Date.now, () =>
      repairAbandonedScans(stack!.store, new Date()),
    );
    await read();
    const byId = async (id: string) => (await stack!.store.listScans(10)).find((r) => r.id === id);
    expect(await byId('scan-dead-2')).toMatchObject({ status: 'running' });
    await lease.release();
    const later = cachedSummary(stack.store, 0, Date.now, () =>
      repairAbandonedScans(stack!.store, new Date()),
    );
    const summary = await later();
    expect(await byId('scan-dead-2')).toMatchObject({ status: 'failed', error: ABANDONED });
    expect(summary?.recentScans?.[0]).toMatchObject({ id: 'scan-dead-2', status: 'failed' });
  });
});

describe('answers Resource Graph calls incomplete', () => {
  it('resultTruncated makes the scan partial and resolves nothing of the batch', async () => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan({ kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] });
    stack.graph.setFaults({
      rules: [
        {
          when: { queryContains: 'classiccompute', page: 0 },
          respond: { status: 200, truncated: true },
          times: 1,
        },
      ],
    });
    const record = await stack.scan(
      { kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] },
      { source: stack.source({ batchSize: 2 }) },
    );
    expect(record.status).toBe('partial');
    expect(record.counts.resolved).toBe(0);
    expect(record.incomplete[0]?.reason).toMatch(/truncated/);
  });

  it('past the subscription limit a tenant scan is partial, says why, and scans the listed ones in explicit batches', async () => {
    stack = await startStack({ tenant: demoTenant(), subscriptionLimit: 2 });
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.status).toBe('partial');
    expect(record.coverage?.reason).toMatch(/10,000 subscriptions/);
    expect(record.subscriptionsComplete).toBe(2);
    const targeted = stack.graph.requests.filter((r) => r.query.startsWith('resources '));
    expect(targeted.length).toBeGreaterThan(0);
    expect(targeted.every((r) => (r.subscriptions?.length ?? 0) > 0)).toBe(true);
    const status = await stack.store.readStatus();
    expect(status?.recentScans?.[0]?.reason).toMatch(/10,000 subscriptions/);
  });
});
