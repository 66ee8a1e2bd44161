// The bench's queued scans with real worker processes: a scan planned through the Storage Queue (Azurite's) and run
// by two scan-worker processes (dev/scan-worker.ts — each its own Resource Graph client and pacer, as two Function
// instances), against the bench's Resource Graph emulator (its own process, latency model on, one quota for both);
// then the same with one worker killed (SIGKILL) mid-scan and a replacement started, as a recycled instance.
import {
  startWorkerProcess,
  type LogLine,
  type WorkerProcess,
} from '../dev/scan-worker-process.js';
import { silentLogger } from '../src/adapters/logger.js';
import { TableFindingStore } from '../src/adapters/tables/table-store.js';
import type { ScanRecord } from '../src/app/ports.js';
import { planScan } from '../src/app/scan-batches.js';
import { batchScanDepsOf, createServices } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { findingKey } from '../src/core/finding.js';

export interface QueueBenchContext {
  readonly azuriteConnectionString: string;
  readonly graph: { readonly url: string; readonly caFile: string };
  /** Subscriptions a batch (RESOURCE_GRAPH_BATCH_SIZE of the planner and workers); the app's default when absent. */
  readonly batchSize?: number | undefined;
  /** How long a fetched message stays invisible (renewed at half while it runs); a killed worker's come back after it. */
  readonly messageLeaseSeconds: number;
  readonly floorSeconds: (pages: number) => number;
  /** The emulator's counters (pages served, 429s). */
  readonly graphStats: () => Promise<{ served: number; throttled: number }>;
  /**
   * The in-process scans of the same tenant: their table prefix (what a fresh evaluation stores) and the record of
   * the last complete one (the tenant's open findings and rows).
   */
  readonly reference: { readonly prefix: string; readonly record: ScanRecord };
  readonly say: (line: string) => void;
}

export interface TwoWorkersResult {
  readonly status: string;
  readonly batches: number;
  readonly subscriptionsScanned: number;
  readonly resources: number;
  /** Pages the emulator served from planning to the close (the planner's and both workers'). */
  readonly pages: number;
  /** Each worker's own Resource Graph pages (its "scan worker stopped" line). */
  readonly workerPages: number[];
  /** Of the wall time: planning (listing, references, retirement sources, the messages), before any batch runs. */
  readonly planSeconds: number;
  readonly wallSeconds: number;
  readonly lowerBoundSeconds: number;
  readonly ratio: number;
  readonly throttled429: number;
  /** The record's open count equals the in-process scan's of the same tenant, and every one is new. */
  readonly countsEqualInProcessScan: boolean;
}

export interface KilledWorkerResult {
  readonly status: string;
  readonly batches: number;
  readonly subscriptionsScanned: number;
  /** Rows the scan record counts, and the in-process scan's. */
  readonly resources: number;
  readonly referenceResources: number;
  /** Seconds after planning began when the worker was killed, the batches reported then, and its batches in flight. */
  readonly killedAfterSeconds: number;
  readonly batchesDoneAtKill: number;
  readonly batchesInFlightAtKill: number;
  /** Deliveries with a dequeue count above 1 that the surviving and replacement workers ran. */
  readonly redelivered: number;
  readonly pages: number;
  readonly planSeconds: number;
  readonly wallSeconds: number;
  readonly lowerBoundSeconds: number;
  readonly ratio: number;
  readonly throttled429: number;
  /** Open findings stored, and those the in-process scans stored (a fresh evaluation): missing and extra keys. */
  readonly storedOpen: number;
  readonly referenceOpen: number;
  readonly missing: number;
  readonly unexpected: number;
  /** The scan record's counts equal the store: open = new = stored open findings, resources as the reference. */
  readonly countsEqualStore: boolean;
  /** Time spent reading both tables' findings for the comparison. */
  readonly checkSeconds: number;
}

const started = (l: LogLine) => l.message === 'scan worker started';

/**
 * Open finding keys stored in a findings table, read whole (1,000 a page): one listing, where a query per partition
 * would make Azurite scan the table once per subscription.
 */
async function openKeysOf(store: TableFindingStore): Promise<Set<string>> {
  const keys = new Set<string>();
  let next: string | undefined;
  do {
    const page = await store.queryFindings({}, 1000, next);
    for (const f of page.items) if (f.status === 'open') keys.add(findingKey(f));
    next = page.next;
  } while (next);
  return keys;
}

interface QueuedScan {
  readonly record: ScanRecord;
  readonly batches: number;
  readonly planSeconds: number;
  readonly wallSeconds: number;
  readonly pages: number;
  readonly throttled: number;
  readonly workers: WorkerProcess[];
  readonly store: TableFindingStore;
}

/**
 * Plans a tenant scan through the queue into fresh tables (prefix `name`) with two worker processes already polling,
 * calls `watch` every 250 ms while it runs, and returns once its record is closed (the workers still running).
 */
async function queuedScan(
  ctx: QueueBenchContext,
  name: string,
  watch: (scan: {
    readonly scanId: string;
    readonly batches: number;
    readonly workers: readonly WorkerProcess[];
    /** Seconds since planning began. */
    readonly elapsedSeconds: number;
    /** Starts one more worker process on the same queue and tables. */
    spawn(): WorkerProcess;
  }) => Promise<void>,
): Promise<QueuedScan> {
  const env = {
    CREDENTIAL_MODE: 'emulator',
    RESOURCE_GRAPH_ENDPOINT: ctx.graph.url,
    RESOURCE_GRAPH_CA_FILE: ctx.graph.caFile,
    TABLES_CONNECTION_STRING: ctx.azuriteConnectionString,
    TABLE_PREFIX: name,
    SCAN_QUEUE_CONNECTION_STRING: ctx.azuriteConnectionString,
    SCAN_QUEUE_NAME: `bench-${name.toLowerCase()}`,
    ...(ctx.batchSize ? { RESOURCE_GRAPH_BATCH_SIZE: String(ctx.batchSize) } : {}),
  };
  const services = createServices(loadConfig(env), silentLogger);
  const deps = batchScanDepsOf(services);
  if (!deps) throw new Error('no scan queue configured');
  const args = ['--message-lease', String(ctx.messageLeaseSeconds)];
  const workers: WorkerProcess[] = [];
  const spawn = () => {
    const worker = startWorkerProcess(env, args);
    workers.push(worker);
    return worker;
  };
  spawn();
  spawn();
  try {
    await Promise.all(workers.map((w) => w.line(started)));
    const before = await ctx.graphStats();
    const t0 = Date.now();
    const planned = await planScan(deps, { scope: { kind: 'tenant' }, trigger: 'timer' });
    const planSeconds = (Date.now() - t0) / 1000;
    let record = planned.record;
    while (record.status === 'running') {
      await watch({
        scanId: planned.scanId,
        batches: planned.batches,
        workers,
        elapsedSeconds: (Date.now() - t0) / 1000,
        spawn,
      });
      await new Promise((r) => setTimeout(r, 250));
      record = (await services.store.listScans(3)).find((r) => r.id === planned.scanId) ?? record;
    }
    const wallSeconds = (Date.parse(record.endedAt ?? new Date().toISOString()) - t0) / 1000;
    const after = await ctx.graphStats();
    return {
      record,
      batches: planned.batches,
      planSeconds,
      wallSeconds,
      pages: after.served - before.served,
      throttled: after.throttled - before.throttled,
      workers,
      store: services.store as TableFindingStore,
    };
  } catch (error) {
    await Promise.all(workers.map((w) => w.kill()));
    throw error;
  }
}

const ratioOf = (wall: number, floor: number) => Number((wall / floor).toFixed(3));

/** Two worker processes on one queue: 0 429s, and wall ÷ floor as the in-process scan's. */
export async function twoWorkers(ctx: QueueBenchContext): Promise<TwoWorkersResult> {
  const scan = await queuedScan(ctx, 'benchtwoworkers', async () => undefined);
  const workerPages: number[] = [];
  for (const w of scan.workers) {
    await w.stop();
    const stopped = w.lines.find((l) => l.message === 'scan worker stopped');
    workerPages.push(Number(stopped?.pages ?? 0));
  }
  const floor = ctx.floorSeconds(scan.pages);
  const ref = ctx.reference.record;
  const result: TwoWorkersResult = {
    status: scan.record.status,
    batches: scan.batches,
    subscriptionsScanned: scan.record.subscriptionsComplete,
    resources: scan.record.resources,
    pages: scan.pages,
    workerPages,
    planSeconds: Number(scan.planSeconds.toFixed(2)),
    wallSeconds: Number(scan.wallSeconds.toFixed(2)),
    lowerBoundSeconds: Number(floor.toFixed(2)),
    ratio: ratioOf(scan.wallSeconds, floor),
    throttled429: scan.throttled,
    // A first scan into fresh tables: every open finding is new.
    countsEqualInProcessScan:
      scan.record.counts.open === ref.counts.open && scan.record.counts.new === ref.counts.open,
  };
  ctx.say(
    `  two worker processes: ${result.status}, ${result.batches} batches, ${result.pages} pages (workers ${workerPages.join(' + ')}) in ${result.wallSeconds} s (planning ${result.planSeconds} s; floor ${result.lowerBoundSeconds} s), ${result.throttled429} 429s`,
  );
  return result;
}

/**
 * Two worker processes; once a batch is reported to the ledger, the worker inside the most batches is killed (SIGKILL)
 * and a replacement starts. The scan must close `succeeded` with the findings a fresh
 * evaluation stores (the in-process first scan's tables) and counts equal to the store.
 */
export async function killedWorker(ctx: QueueBenchContext): Promise<KilledWorkerResult> {
  let kill:
    | { afterSeconds: number; batchesDone: number; inFlight: number; victim: WorkerProcess }
    | undefined;
  const scan = await queuedScan(
    ctx,
    'benchkilledworker',
    async ({ scanId, batches, workers, elapsedSeconds, spawn }) => {
      if (kill) return;
      const reported = (w: WorkerProcess) =>
        w.lines.filter((l) => l.message === 'batch reported' && l.scanId === scanId).length;
      // Batches a worker is inside of: invocations started and not ended, less those that already reported (each
      // logs "function executing", then "batch reported", then "function executed").
      const inFlightOf = (w: WorkerProcess) => {
        const count = (match: (l: LogLine) => boolean) => w.lines.filter(match).length;
        const unfinished =
          count((l) => l.message === 'function executing') -
          count((l) => l.message === 'function executed');
        const reportedUnfinished =
          reported(w) - count((l) => l.message === 'function executed' && l.succeeded === true);
        return unfinished - Math.max(0, reportedUnfinished);
      };
      // Once the ledger shows progress (a batch reported), the worker inside the most batches.
      const done = workers.reduce((n, w) => n + reported(w), 0);
      if (done === 0) return;
      const [victim] = [...workers].sort((a, b) => inFlightOf(b) - inFlightOf(a));
      if (!victim || inFlightOf(victim) === 0) return;
      const inFlight = inFlightOf(victim);
      await victim.kill();
      kill = { afterSeconds: elapsedSeconds, batchesDone: done, inFlight, victim };
      ctx.say(
        `  killed worker ${victim.child.pid} (SIGKILL) after ${kill.afterSeconds.toFixed(1)} s: ${done} of ${batches} batches reported, ${inFlight} of its batches in flight; a replacement starts`,
      );
      await spawn().line(started);
    },
  );
  const survivors = scan.workers.filter((w) => w !== kill?.victim);
  for (const w of survivors) await w.stop();
  const redelivered = survivors
    .flatMap((w) => w.lines)
    .filter((l) => l.message === 'function executing' && Number(l.dequeueCount) > 1).length;
  const checkStarted = performance.now();
  const reference = new TableFindingStore({
    connection: { kind: 'connectionString', value: ctx.azuriteConnectionString },
    prefix: ctx.reference.prefix,
  });
  const [expected, stored] = await Promise.all([openKeysOf(reference), openKeysOf(scan.store)]);
  const checkSeconds = (performance.now() - checkStarted) / 1000;
  const missing = [...expected].filter((k) => !stored.has(k)).length;
  const unexpected = [...stored].filter((k) => !expected.has(k)).length;
  const floor = ctx.floorSeconds(scan.pages);
  const r = scan.record;
  const result: KilledWorkerResult = {
    status: r.status,
    batches: scan.batches,
    subscriptionsScanned: r.subscriptionsComplete,
    resources: r.resources,
    referenceResources: ctx.reference.record.resources,
    killedAfterSeconds: Number((kill?.afterSeconds ?? 0).toFixed(1)),
    batchesDoneAtKill: kill?.batchesDone ?? scan.batches,
    batchesInFlightAtKill: kill?.inFlight ?? 0,
    redelivered,
    pages: scan.pages,
    planSeconds: Number(scan.planSeconds.toFixed(2)),
    wallSeconds: Number(scan.wallSeconds.toFixed(2)),
    lowerBoundSeconds: Number(floor.toFixed(2)),
    ratio: ratioOf(scan.wallSeconds, floor),
    throttled429: scan.throttled,
    storedOpen: stored.size,
    referenceOpen: expected.size,
    missing,
    unexpected,
    countsEqualStore:
      r.counts.open === stored.size &&
      r.counts.new === stored.size &&
      r.resources === ctx.reference.record.resources,
    checkSeconds: Number(checkSeconds.toFixed(1)),
  };
  ctx.say(
    `  killed worker: ${result.status}, ${result.redelivered} deliveries again, ${result.pages} pages in ${result.wallSeconds} s (floor ${result.lowerBoundSeconds} s), ${result.throttled429} 429s; stored ${result.storedOpen} open findings, fresh evaluation ${result.referenceOpen} (${missing} missing, ${unexpected} extra); record counts ${result.countsEqualStore ? '=' : '≠'} store (checked in ${result.checkSeconds} s)`,
  );
  return result;
}

/** The bench table's rows for the queued scans: figure, measured, target, ok. */
export function queueRows(
  two: TwoWorkersResult,
  killed: KilledWorkerResult,
): [string, string, string, boolean][] {
  return [
    [
      'two worker processes on one queue',
      `${two.ratio} (${two.wallSeconds} s / ${two.lowerBoundSeconds} s), ${two.throttled429} 429s, ${two.status}`,
      '≤ 1.15, 0 429s',
      two.ratio <= 1.15 && two.throttled429 === 0 && two.status === 'succeeded',
    ],
    [
      'a worker killed mid-scan (SIGKILL)',
      `${killed.status}; ${killed.batchesInFlightAtKill} in flight, ${killed.redelivered} redelivered; ${killed.missing} missing, ${killed.unexpected} extra of ${killed.referenceOpen}; counts ${killed.countsEqualStore ? '= store' : '≠ store'}`,
      'completes; = fresh; once',
      killed.status === 'succeeded' &&
        killed.batchesInFlightAtKill > 0 &&
        killed.missing === 0 &&
        killed.unexpected === 0 &&
        killed.countsEqualStore,
    ],
  ];
}
