// A scan run as batches on a real Storage Queue (Azurite's, through @azure/storage-queue), polled by the local host's
// queue trigger: a worker killed mid-batch, a message delivered twice, a batch that keeps failing. Each time the scan
// ends with what a fresh evaluation says — nothing lost, nothing counted twice — or `partial` naming what it could not do.
import { afterEach, describe, expect, it } from 'vitest';
import { startQueueTrigger, type RunningQueueTrigger } from '../../dev/queue-trigger.js';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { StorageQueue } from '../../src/adapters/queue/storage-queue.js';
import { TableScanLedger } from '../../src/adapters/tables/scan-ledger.js';
import type { ScanLedger, ScanRecord } from '../../src/app/ports.js';
import { failBatch, planScan, runBatch, type BatchScanDeps } from '../../src/app/scan-batches.js';
import { parseBatchMessage } from '../../src/functions/scan-batch.js';
import { startStack, type Stack } from '../support/stack.js';
import { inProcessKeys, openKeys, setDiff, storedFindings } from './helpers.js';

/** The open findings a scan in one process stores for the same tenant: the reference. */
const reference = (s: Stack) => inProcessKeys(s, DEMO_SUBSCRIPTIONS);

let stack: Stack | undefined;
const triggers: RunningQueueTrigger[] = [];
afterEach(async () => {
  for (const t of triggers.splice(0)) await t.stop();
  await stack?.stop();
  stack = undefined;
});

let queues = 0;

interface Rig {
  readonly stack: Stack;
  readonly queue: StorageQueue;
  readonly ledger: TableScanLedger;
  deps(ledger?: ScanLedger): BatchScanDeps;
  /** A worker polling the queue as the Functions host does (short lease, quick retries). */
  worker(
    deps: BatchScanDeps,
    options?: { batchSize?: number; newBatchThreshold?: number },
  ): RunningQueueTrigger;
  /** Waits (polling the store) until the scan's record is no longer running. */
  ended(scanId: string): Promise<ScanRecord>;
}

async function rig(): Promise<Rig> {
  // Two subscriptions a request batch: the demo tenant becomes several queue messages.
  stack = await startStack({ tenant: demoTenant(), source: { batchSize: 2 } });
  const s = stack;
  const connection = { kind: 'connectionString' as const, value: s.azurite.connectionString };
  const queue = new StorageQueue({ connection, name: `scan-${process.pid}-${++queues}` });
  const ledger = new TableScanLedger({ connection, prefix: s.prefix });
  const deps = (l: ScanLedger = ledger): BatchScanDeps => ({
    ...s.deps(),
    queue,
    ledger: l,
    leaseSeconds: 60,
  });
  return {
    stack: s,
    queue,
    ledger,
    deps,
    worker: (d, options = {}) => {
      const t = startQueueTrigger({
        queue,
        handler: async (m) => {
          await runBatch(d, parseBatchMessage(m.text));
        },
        poisonHandler: async (m) => {
          await failBatch(d, parseBatchMessage(m.text), 'poisoned');
        },
        batchSize: options.batchSize ?? 4,
        newBatchThreshold: options.newBatchThreshold ?? 1,
        maxPollingIntervalMs: 200,
        visibilityTimeoutSeconds: 0,
        maxDequeueCount: 3,
        // Short, so that a killed worker's messages come back within the test.
        messageLeaseSeconds: 2,
        log: silentLogger,
      });
      triggers.push(t);
      return t;
    },
    ended: async (scanId) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const record = (await s.store.listScans(5)).find((r) => r.id === scanId);
        if (record && record.status !== 'running') return record;
        if (Date.now() > deadline) throw new Error(`scan ${scanId} did not end`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Waits until no message is left on the queue or its poison queue (every function that ran has returned). */
async function drained(queue: StorageQueue): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (
    (await queue.approximateCount('queue')) + (await queue.approximateCount('poison')) > 0 &&
    Date.now() < deadline
  )
    await new Promise((res) => setTimeout(res, 100));
}

/** A ledger whose writes of batch results never return: the worker holding them is as good as dead. */
function hangingResults(ledger: ScanLedger, reached: () => void): ScanLedger {
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'putDocument')
        return (scanId: string, name: string, doc: unknown) => {
          if (name.startsWith('result-')) {
            reached();
            return new Promise(() => undefined);
          }
          return target.putDocument(scanId, name, doc);
        };
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

describe('a scan run as batches on Storage Queues', () => {
  it('completes with every finding once when a worker dies mid-batch, after its findings were written', async () => {
    const r = await rig();
    const planned = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'http' });
    expect(planned.batches).toBeGreaterThan(1);
    // Worker A reconciles its batches (findings written) and dies before reporting any of them.
    let dying = 0;
    const a = r.worker(r.deps(hangingResults(r.ledger, () => dying++)), {
      batchSize: planned.batches,
    });
    while (dying === 0) await new Promise((res) => setTimeout(res, 50));
    a.kill();
    // Worker B finds the messages again once their visibility timeout has run out.
    r.worker(r.deps());
    const record = await r.ended(planned.scanId);

    expect(record.status).toBe('succeeded');
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length);
    const stored = await storedFindings(r.stack.store, DEMO_SUBSCRIPTIONS);
    const open = openKeys(stored);
    const expected = await reference(r.stack);
    expect(expected.size).toBeGreaterThan(10);
    expect(setDiff(expected, open)).toEqual({ missing: [], unexpected: [] });
    // Every finding is new in this first scan, counted once although some batches were reconciled twice.
    expect(record.counts.open).toBe(open.size);
    expect(record.counts.new).toBe(open.size);
    expect(record.progress).toMatchObject({
      subscriptionsDone: DEMO_SUBSCRIPTIONS.length,
      batchesDone: planned.batches,
    });
  });

  it('changes nothing twice when every message is delivered twice', async () => {
    const r = await rig();
    const planned = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    // A copy of each message, as an at-least-once queue may deliver.
    const peeked = await r.queue.queue.peekMessages({ numberOfMessages: 32 });
    expect(peeked.peekedMessageItems).toHaveLength(planned.batches);
    for (const m of peeked.peekedMessageItems) await r.queue.queue.sendMessage(m.messageText);
    r.worker(r.deps(), { batchSize: 2 });
    const record = await r.ended(planned.scanId);
    // Let the copies left after the close be delivered too (they are dropped: the scan is closed).
    await drained(r.queue);

    expect(record.status).toBe('succeeded');
    const stored = await storedFindings(r.stack.store, DEMO_SUBSCRIPTIONS);
    const open = openKeys(stored);
    expect(setDiff(await reference(r.stack), open)).toEqual({
      missing: [],
      unexpected: [],
    });
    expect(record.counts.new).toBe(open.size);
    expect(record.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length);
    const ledger = await r.ledger.readLedger(planned.scanId);
    expect(ledger?.done).toHaveLength(planned.batches);
    expect(ledger?.subscriptionsDone).toBe(DEMO_SUBSCRIPTIONS.length);
    // One scan in the day's trend, not one per delivery.
    const trend = await r.stack.store.readTrend(record.startedAt.slice(0, 10));
    expect(trend.at(-1)?.scans).toBe(1);
    // The next scan finds nothing to change.
    const again = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    const second = await r.ended(again.scanId);
    expect(second.counts).toMatchObject({ new: 0, resolved: 0, open: record.counts.open });
  });

  it('closes once when the closing fails half-way: the claim is given up and the redelivered message closes it', async () => {
    const r = await rig();
    const planned = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    // The first status write (the closer's) fails: the worker that claimed the closing throws.
    let failures = 0;
    const flaky = new Proxy(r.stack.store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'writeStatus')
          return (...args: Parameters<typeof target.writeStatus>) => {
            if (failures++ === 0) return Promise.reject(new Error('table storage unavailable'));
            return target.writeStatus(...args);
          };
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
    r.worker({ ...r.deps(), store: flaky });
    const record = await r.ended(planned.scanId);
    expect(failures).toBe(2);
    expect(record.status).toBe('succeeded');
    // The ledger is marked closed and the trend written after the record; then the message is deleted.
    await drained(r.queue);
    expect((await r.ledger.readLedger(planned.scanId))?.closed).toBe(true);
    let trend = await r.stack.store.readTrend(record.startedAt.slice(0, 10));
    for (let i = 0; i < 50 && trend.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      trend = await r.stack.store.readTrend(record.startedAt.slice(0, 10));
    }
    expect(trend.at(-1)?.scans).toBe(1);
    expect((await r.stack.store.readStatus())?.lastScan.id).toBe(planned.scanId);
  });

  it('runs on two workers at once (each its own Resource Graph client and pacer, as two instances) with 0 429s', async () => {
    const r = await rig();
    const planned = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    expect(planned.batches).toBeGreaterThan(1);
    // Each deps() has a fresh source: two pacers that share one quota, read from the response headers. One batch at
    // a time each, answered slowly, so that both take some.
    r.stack.graph.setFaults({ latencyMs: 150 });
    const one = r.deps();
    const two = r.deps();
    r.worker(one, { batchSize: 1, newBatchThreshold: 0 });
    r.worker(two, { batchSize: 1, newBatchThreshold: 0 });
    const record = await r.ended(planned.scanId);
    expect(record.status).toBe('succeeded');
    expect(one.source.stats().pages).toBeGreaterThan(0);
    expect(two.source.stats().pages).toBeGreaterThan(0);
    expect(one.source.stats().throttled429 + two.source.stats().throttled429).toBe(0);
    expect(record.source?.throttled429).toBe(0);
  });

  it('ends partial naming the subscriptions of a batch that keeps failing, their findings kept', async () => {
    const r = await rig();
    const first = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    const w = r.worker(r.deps());
    await r.ended(first.scanId);
    await w.stop();
    const before = await storedFindings(r.stack.store, DEMO_SUBSCRIPTIONS);

    // Batch 1 cannot be run: its context cannot be read, on every attempt.
    const failing: string[] = [];
    const broken = new Proxy(r.ledger, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'getDocument')
          return async (scanId: string, name: string) => {
            if (name === 'batch-1') {
              const doc = await target.getDocument<{ states: [string, unknown][] }>(scanId, name);
              failing.splice(0, failing.length, ...(doc?.states ?? []).map(([id]) => id));
              throw new Error('batch 1 cannot be read');
            }
            return target.getDocument(scanId, name);
          };
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
    const second = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    r.worker(r.deps(broken));
    const record = await r.ended(second.scanId);

    expect(record.status).toBe('partial');
    expect(failing.length).toBeGreaterThan(0);
    expect(record.incomplete.map((i) => i.subscriptionId).sort()).toEqual([...failing].sort());
    for (const i of record.incomplete) expect(i.reason).toMatch(/poison/);
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length - failing.length);
    // Their findings are exactly as the first scan left them (never resolved).
    const after = await storedFindings(r.stack.store, DEMO_SUBSCRIPTIONS);
    const of = (m: Map<string, unknown>, subs: string[]) =>
      [...m].filter(([k]) => subs.some((s) => k.toLowerCase().includes(s.toLowerCase())));
    expect(of(after, failing)).toEqual(of(before, failing));
    // The poison message is deleted once the poison function (which closed the scan) returns.
    await drained(r.queue);
    expect(await r.queue.approximateCount('poison')).toBe(0);
  });

  it('removes the plan documents of a scan that died before its close when the next scan is planned', async () => {
    const r = await rig();
    // Planned, then nobody runs its batches and its lease runs out: the scan died.
    const dead = await planScan(
      { ...r.deps(), leaseSeconds: 1 },
      { scope: { kind: 'tenant' }, trigger: 'timer' },
    );
    expect(await r.ledger.getDocument(dead.scanId, 'plan')).toBeDefined();
    expect(await r.ledger.getDocument(dead.scanId, 'batch-0')).toBeDefined();
    await new Promise((res) => setTimeout(res, 1500));

    const next = await planScan(r.deps(), { scope: { kind: 'tenant' }, trigger: 'timer' });
    expect(next.batches).toBeGreaterThan(0);
    expect(await r.ledger.getDocument(dead.scanId, 'plan')).toBeUndefined();
    expect(await r.ledger.getDocument(dead.scanId, 'shared')).toBeUndefined();
    expect(await r.ledger.getDocument(dead.scanId, 'batch-0')).toBeUndefined();
    // The dead scan's record says so; the new scan's documents are there, and it completes.
    const deadRecord = (await r.stack.store.listScans(5)).find((x) => x.id === dead.scanId);
    expect(deadRecord?.status).toBe('failed');
    expect(await r.ledger.getDocument(next.scanId, 'plan')).toBeDefined();
    r.worker(r.deps());
    expect((await r.ended(next.scanId)).status).toBe('succeeded');
    // The closed scan's documents went too (once the closing function has returned); only the ledgers stay.
    await drained(r.queue);
    expect(await r.ledger.dropStaleDocuments('none')).toEqual([]);
  });
});
