// The scan worker (dev/scan-worker.ts) as a real process: it runs a planned scan's batches from Azurite's queue with the
// app's composition until stopped; killed with SIGKILL in the middle of a batch, its message reappears after the
// message lease and a second worker process finishes the scan — every finding once, nothing counted twice.
import { afterEach, describe, expect, it } from 'vitest';
import {
  startWorkerProcess,
  type LogLine,
  type WorkerProcess,
} from '../../dev/scan-worker-process.js';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { decodeMessage, type StorageQueue } from '../../src/adapters/queue/storage-queue.js';
import { silentLogger } from '../../src/adapters/logger.js';
import type { ScanRecord } from '../../src/app/ports.js';
import { planScan, type BatchScanDeps } from '../../src/app/scan-batches.js';
import { batchScanDepsOf, createServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { parseBatchMessage } from '../../src/functions/scan-batch.js';
import { inProcessKeys, openKeys, setDiff, storedFindings } from '../reliability/helpers.js';
import { startStack, type Stack } from '../support/stack.js';

const workers: WorkerProcess[] = [];
let stack: Stack | undefined;
afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await stack?.stop();
  stack = undefined;
});

function startWorker(env: Record<string, string>, ...args: string[]): WorkerProcess {
  const worker = startWorkerProcess(env, args);
  workers.push(worker);
  return worker;
}

let queues = 0;

/** A demo tenant behind the emulator, the settings of a worker on a fresh queue, and the planner's deps. */
async function rig(batchSize = 2): Promise<{
  env: Record<string, string>;
  deps: BatchScanDeps;
  queue: StorageQueue;
  stack: Stack;
}> {
  // A few subscriptions a request: the demo tenant becomes several queue messages.
  stack = await startStack({ tenant: demoTenant(), lister: true });
  const env = {
    ...stack.env(),
    RESOURCE_GRAPH_BATCH_SIZE: String(batchSize),
    SCAN_QUEUE_CONNECTION_STRING: stack.azurite.connectionString,
    SCAN_QUEUE_NAME: `worker-${process.pid}-${++queues}`,
  };
  const services = createServices(loadConfig(env), silentLogger);
  const deps = batchScanDepsOf(services);
  if (!deps || !services.batches) throw new Error('no queue configured');
  return { env, deps, queue: services.batches.queue, stack };
}

async function ended(s: Stack, scanId: string): Promise<ScanRecord> {
  for (;;) {
    const record = (await s.store.listScans(5)).find((r) => r.id === scanId);
    if (record && record.status !== 'running') return record;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const started = (l: LogLine) => l.message === 'scan worker started';

describe('the scan worker process', () => {
  it('runs a planned scan from the queue with the app settings of its environment, and stops on SIGTERM', async () => {
    const { env, deps, stack: s } = await rig();
    const worker = startWorker(env, '--message-lease', '5', '--max-polling-interval', '200');
    expect(await worker.line(started)).toMatchObject({
      queue: env.SCAN_QUEUE_NAME,
      tablePrefix: s.prefix,
      messageLeaseSeconds: 5,
      maxPollingIntervalMs: 200,
      // host.json's, not overridden
      batchSize: 4,
      maxDequeueCount: 5,
    });
    const planned = await planScan(deps, { scope: { kind: 'tenant' }, trigger: 'timer' });
    expect(planned.batches).toBeGreaterThan(1);
    const record = await ended(s, planned.scanId);

    expect(record.status).toBe('succeeded');
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length);
    const open = openKeys(await storedFindings(s.store, DEMO_SUBSCRIPTIONS));
    expect(setDiff(await inProcessKeys(s, DEMO_SUBSCRIPTIONS), open)).toEqual({
      missing: [],
      unexpected: [],
    });
    expect(record.counts).toMatchObject({ open: open.size, new: open.size });
    // Every batch was run by the worker's own functions (its log says so, one line each).
    const reported = worker.lines.filter((l) => l.message === 'batch reported');
    expect(reported.map((l) => l.batch).sort()).toEqual([...Array(planned.batches).keys()].sort());

    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    const stopped = worker.lines.at(-1);
    expect(stopped?.message).toBe('scan worker stopped');
    expect(stopped?.pages).toBeGreaterThan(0);
    expect(stopped?.throttled429).toBe(0);
  });

  it('killed with SIGKILL mid-batch: its message reappears after the lease, and a second worker finishes the scan with every finding once', async () => {
    const { env, deps, queue, stack: s } = await rig(1);
    const planned = await planScan(deps, { scope: { kind: 'tenant' }, trigger: 'timer' });
    expect(planned.batches).toBeGreaterThan(2);
    // The last batch's Resource Graph requests are never answered: the first worker (which takes every message at
    // once) is inside that batch, for sure, when it is killed, having reported the others.
    const peeked = await queue.queue.peekMessages({ numberOfMessages: 32 });
    const messages = peeked.peekedMessageItems.map((m) =>
      parseBatchMessage(decodeMessage(m.messageText)),
    );
    const last = messages.find((m) => m.batch === planned.batches - 1);
    expect(last).toBeDefined();
    s.graph.setFaults({
      rules: [
        { when: { subscription: last!.subscriptionIds[0]! }, respond: { status: 200, hang: true } },
      ],
    });
    const first = startWorker(
      env,
      '--message-lease',
      '2',
      '--max-polling-interval',
      '200',
      '--batch-size',
      '32',
    );
    for (;;) {
      const ledger = await deps.ledger.readLedger(planned.scanId);
      if ((ledger?.done.length ?? 0) >= planned.batches - 1 && s.graph.stats().failed > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await first.kill()).signal).toBe('SIGKILL');
    const before = await deps.ledger.readLedger(planned.scanId);
    expect(before).toMatchObject({ closed: false });
    expect(before?.done).not.toContain(planned.batches - 1);
    expect((await s.store.listScans(5)).find((r) => r.id === planned.scanId)?.status).toBe(
      'running',
    );

    // Healthy again; a second instance takes the message once the dead worker's lease runs out.
    s.graph.setFaults({});
    const second = startWorker(env, '--message-lease', '2', '--max-polling-interval', '200');
    const record = await ended(s, planned.scanId);

    expect(record.status).toBe('succeeded');
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length);
    expect(second.lines.filter((l) => l.message === 'batch reported').map((l) => l.batch)).toEqual([
      planned.batches - 1,
    ]);
    // Messages the dead worker held, delivered again: the host's log of each invocation says so (the function may
    // still be finishing when the record is closed: its end is waited for).
    const executed = await second.line((l) => l.message === 'function executed');
    expect(executed).toMatchObject({ function: 'scanBatch', dequeueCount: 2, succeeded: true });
    expect(
      new Set(
        second.lines.filter((l) => l.message === 'function executing').map((l) => l.dequeueCount),
      ),
    ).toEqual(new Set([2]));
    const open = openKeys(await storedFindings(s.store, DEMO_SUBSCRIPTIONS));
    expect(setDiff(await inProcessKeys(s, DEMO_SUBSCRIPTIONS), open)).toEqual({
      missing: [],
      unexpected: [],
    });
    // Nothing counted twice: the record's counts are what the store holds, every batch once.
    expect(record.counts).toMatchObject({ open: open.size, new: open.size });
    expect(record.progress).toMatchObject({
      subscriptionsDone: DEMO_SUBSCRIPTIONS.length,
      batchesDone: planned.batches,
    });
  });
});
