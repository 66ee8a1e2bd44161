// Table Storage going away mid-scan (an Azurite of the test's own, stopped and restarted on its data folder),
// and the lease that the timer and the HTTP trigger share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
  type Tenant,
} from '../../dev/emulators/resource-graph/server.js';
import { demoTenant } from '../../dev/tenants/demo.js';
import { mutateTenant, syntheticTenant } from '../../dev/tenants/synthetic.js';
import { emulatorCredential } from '../../src/adapters/credential.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { ResourceGraphSource } from '../../src/adapters/resource-graph/source.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import {
  AlreadyRunningError,
  type Lease,
  type ScanRecord,
  type SubscriptionRecord,
} from '../../src/app/ports.js';
import { runScan } from '../../src/app/run-scan.js';
import { createServices, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { forgetCachedStatus, getStatus } from '../../src/functions/get-status.js';
import { runScheduledScan } from '../../src/functions/scan-readiness.js';
import { startScan } from '../../src/functions/start-scan.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { body, context, request, through } from '../support/http.js';
import { startStack, type Stack } from '../support/stack.js';
import { expectedKeys, openKeys, setDiff, storedFindings, subscriptionIds } from './helpers.js';

/** Like test/support/stack.ts, but with an Azurite of its own, persisted in a folder, that the test stops. */
interface OwnStack {
  readonly graph: RunningEmulator;
  azurite: RunningAzurite;
  /** A fresh store client, as a new process would build after a restart. */
  store(): TableFindingStore;
  scan(options?: {
    clock?: () => Date;
    store?: TableFindingStore;
    onStarted?: (scanId: string) => void;
  }): Promise<ScanRecord>;
  restartAzurite(): Promise<void>;
  stop(): Promise<void>;
}

async function startOwnStack(tenant: Tenant): Promise<OwnStack> {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-azurite-'));
  const graph = await startResourceGraphEmulator({
    tenant,
    port: 0,
    quota: { requests: 50, windowMs: 200 },
  });
  const self: OwnStack = {
    graph,
    azurite: await startAzurite({ location: dir }),
    store: () =>
      new TableFindingStore({
        connection: { kind: 'connectionString', value: self.azurite.connectionString },
        prefix: 'reliability',
      }),
    scan: ({ clock = () => new Date(), store = self.store(), onStarted } = {}) =>
      runScan(
        {
          source: new ResourceGraphSource({
            credential: emulatorCredential,
            endpoint: graph.url,
            ca: graph.ca,
            retryBaseMs: 20,
            pageTimeoutMs: 5_000,
            pageSize: 50,
          }),
          store,
          rules: DEFAULT_CATALOG,
          log: silentLogger,
          clock,
        },
        { scope: { kind: 'tenant' }, trigger: 'cli', ...(onStarted ? { onStarted } : {}) },
      ),
    restartAzurite: async () => {
      // Same port (the connection string stays valid) and same folder (the data comes back).
      self.azurite = await startAzurite({ location: dir, port: self.azurite.port });
    },
    stop: async () => {
      await graph.close();
      await self.azurite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** A store that waits for `beforeBookkeeping` when the scan writes its subscription records. */
class WatchedStore extends TableFindingStore {
  constructor(
    connectionString: string,
    private readonly beforeBookkeeping: () => Promise<void>,
  ) {
    super({
      connection: { kind: 'connectionString', value: connectionString },
      prefix: 'reliability',
    });
  }
  override async writeSubscriptions(records: readonly SubscriptionRecord[]): Promise<number> {
    await this.beforeBookkeeping();
    return super.writeSubscriptions(records);
  }
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let own: OwnStack | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  setServices(undefined);
  forgetCachedStatus();
  await own?.stop();
  own = undefined;
  await stack?.stop();
  stack = undefined;
});

describe('Table Storage stopped mid-scan', () => {
  it('the scan ends failed or partial without claiming what it could not store; nothing stored is lost; the next scan reconciles', async () => {
    const tenant = syntheticTenant({ subscriptions: 6, resources: 500, seed: 31 });
    own = await startOwnStack(tenant);
    const subs = subscriptionIds(tenant);

    const first = await own.scan();
    expect(first.status).toBe('succeeded');
    const before = await storedFindings(own.store(), subs);
    expect(before.size).toBe(first.counts.open);
    expect(before.size).toBeGreaterThan(100);

    // The second scan sees a changed tenant, so it has findings to write; slowed so it is caught mid-way.
    const changed = mutateTenant(tenant, { seed: 32, fraction: 0.1 });
    own.graph.setTenant(changed);
    own.graph.setFaults({ latencyMs: 80 });
    const outage: { stopped?: Promise<void> } = {};
    let restarted: Promise<void> | undefined;
    const writing = new WatchedStore(own.azurite.connectionString, () => {
      // The scan reached its bookkeeping (every subscription handed on): Table Storage comes back,
      // on the same port and folder, before the subscription records and the status are written.
      restarted ??= (async () => {
        expect(outage.stopped, 'Azurite was stopped before the bookkeeping').toBeDefined();
        await outage.stopped;
        await own!.restartAzurite();
      })();
      return restarted;
    });
    let interruptedId: string | undefined;
    const outcome = own.scan({ store: writing, onStarted: (id) => (interruptedId = id) }).then(
      (record) => ({ kind: 'returned' as const, record }),
      (error: unknown) => ({ kind: 'threw' as const, error }),
    );
    // Lease, scan record, then a first subscription's partition marked: findings are being written.
    await until(() => writing.writes() >= 3, 'the scan to start writing findings');
    const pagesServed = own.graph.stats().served;
    outage.stopped = own.azurite.stop(); // SIGINT: Azurite flushes what it holds and exits
    await outage.stopped;

    const settled = await Promise.race([
      outcome,
      new Promise<{ kind: 'hung' }>((resolve) =>
        setTimeout(() => resolve({ kind: 'hung' }), 45_000).unref(),
      ),
    ]);
    expect(restarted).toBeDefined();
    expect(settled.kind).toBe('returned');
    const interrupted = (settled as { record: ScanRecord }).record;
    expect(interrupted.id).toBe(interruptedId);
    // It was stopped mid-scan: Resource Graph pages were still being read after the stop.
    expect(own.graph.stats().served).toBeGreaterThan(pagesServed);
    expect(['failed', 'partial']).toContain(interrupted.status);
    expect(interrupted.incompleteTotal).toBeGreaterThan(0);
    expect(interrupted.subscriptionsComplete + interrupted.incompleteTotal).toBe(subs.length);
    for (const i of interrupted.incomplete) {
      expect(i.outcome).toBe('failed');
      expect(i.reason).toMatch(/^storing findings failed: .*ECONNREFUSED/);
    }

    const store = own.store();
    const after = await storedFindings(store, subs);
    // Nothing stored by the first scan is lost: every finding is still there, with its history.
    for (const [key, finding] of before) {
      const now = after.get(key);
      expect(now, key).toMatchObject({
        ruleId: finding.ruleId,
        resourceId: finding.resourceId,
        firstSeen: finding.firstSeen,
        firstSeenScan: finding.firstSeenScan,
      });
      if (now?.status === 'resolved') expect(now.resolvedScan, key).toBe(interruptedId);
    }
    for (const [key, finding] of after)
      if (!before.has(key)) expect(finding.firstSeenScan, key).toBe(interruptedId);
    // What the record calls complete was stored in full; what failed is marked for a full re-read.
    const expected = expectedKeys(changed);
    const failed = new Set(interrupted.incomplete.map((i) => i.subscriptionId));
    for (const sub of subs.map((s) => s.toLowerCase())) {
      const record = await store.readSubscription(sub);
      const open = [...openKeys(after)].filter((k) => k.includes(`/subscriptions/${sub}/`));
      const wanted = [...expected].filter((k) => k.includes(`/subscriptions/${sub}/`));
      if (failed.has(sub)) {
        expect(record).toMatchObject({ outcome: 'failed', lastCompleteScanId: first.id });
        expect(record?.findingsHash).toBeUndefined();
      } else {
        expect(record).toMatchObject({ outcome: 'complete', lastCompleteScanId: interruptedId });
        expect(new Set(open), sub).toEqual(new Set(wanted));
      }
    }
    expect((await store.readStatus())?.lastScan).toMatchObject({
      id: interruptedId,
      status: interrupted.status,
    });

    // The lease was released once the store was back: the next scan runs now, and reconciles.
    own.graph.setFaults({});
    const next = await own.scan();
    expect(next.status).toBe('succeeded');
    const reconciled = await storedFindings(store, subs);
    expect(setDiff(expected, openKeys(reconciled))).toEqual({ missing: [], unexpected: [] });
    expect(next.counts.open).toBe(openKeys(reconciled).size);
    for (const key of before.keys()) expect(reconciled.has(key), key).toBe(true);
  });
});

describe('the scan lease shared by the timer and the HTTP trigger', () => {
  it('a timer run holds the lease: POST /api/scans answers 409; the reverse: a timer run steps aside', async () => {
    stack = await startStack({ tenant: demoTenant() });
    setServices(createServices(loadConfig(stack.env()), silentLogger));

    // A slowed timer run; once Resource Graph sees its first request, it holds the lease.
    stack.graph.setFaults({ latencyMs: 80 });
    const timerContext = context();
    const timerRun = runScheduledScan('timer', timerContext);
    await until(() => stack!.graph.stats().requests > 0, 'the timer scan to start');
    const refused = await through(
      startScan(
        request('/api/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
        context(),
      ),
    );
    expect(refused.status).toBe(409);
    expect(body(refused).error.code).toBe('ScanAlreadyRunning');
    await timerRun;
    expect(timerContext.logs.some((l) => /^scan scan-\S+ succeeded/.test(l))).toBe(true);
    const afterTimer = body(await through(getStatus(request('/api/status'), context())));
    expect(afterTimer.lastScan).toMatchObject({ trigger: 'timer', status: 'succeeded' });

    // Now the HTTP scan holds it, and a timer run that fires meanwhile steps aside without failing.
    const accepted = await through(
      startScan(
        request('/api/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
        context(),
      ),
    );
    expect(accepted.status).toBe(202);
    const { scanId } = body(accepted);
    const skipped = context();
    await runScheduledScan('timer', skipped);
    expect(skipped.logs.some((l) => l.startsWith('scan skipped: a scan is already running'))).toBe(
      true,
    );
    // Let the HTTP scan finish before the stack goes away (read uncached: the API caches for 3 s).
    stack.graph.setFaults({});
    const deadline = Date.now() + 20_000;
    while ((await stack.store.readStatus())?.lastScan.id !== scanId && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    forgetCachedStatus();
    const final = body(await through(getStatus(request('/api/status'), context())));
    expect(final.lastScan).toMatchObject({ id: scanId, trigger: 'http', status: 'succeeded' });
    // And it lets go of the lease once its record is written.
    let free: Lease | undefined;
    while (!free && Date.now() < deadline) {
      free = await stack.store
        .acquireLease('test-probe', 30, new Date())
        .catch((error: unknown) => {
          if (error instanceof AlreadyRunningError) return undefined;
          throw error;
        });
      if (!free) await new Promise((r) => setTimeout(r, 20));
    }
    expect(free?.holder).toBe('test-probe');
    await free?.release();
  });
});
