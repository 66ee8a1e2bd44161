// POST /api/scans with a scan queue: 202 at once with the scan id and the status location; the status shows the running
// scan's progress while its batches wait on the queue; the local host's queue trigger (Azurite's real queue service,
// host.json's options) runs them and the last one closes the scan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateFunctionKey, startLocalHost, type RunningHost } from '../../dev/host.js';
import { queueSettingsOf } from '../../dev/queue-trigger.js';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, services, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { FUNCTIONS } from '../../src/functions/registry.js';
import { forgetCachedStatus, getStatus } from '../../src/functions/get-status.js';
import { startScan } from '../../src/functions/start-scan.js';
import { startStack, type Stack } from '../support/stack.js';
import { body, context, request, through } from '../support/http.js';

let stack: Stack | undefined;
let host: RunningHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await stack?.stop();
  stack = undefined;
});

const HOST_JSON: unknown = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'host.json'), 'utf8'),
);

describe('a scan through the queue, on the local host', () => {
  it('host.json sets the queue options the design needs', () => {
    expect(queueSettingsOf(HOST_JSON)).toEqual({
      batchSize: 4,
      newBatchThreshold: 2,
      maxPollingIntervalMs: 2_000,
      visibilityTimeoutSeconds: 30,
      maxDequeueCount: 5,
    });
  });

  it('answers POST /api/scans with 202 at once, shows progress while it runs, and the queue trigger finishes it', async () => {
    stack = await startStack({ tenant: demoTenant(), source: { batchSize: 2 } });
    setServices(
      createServices(
        loadConfig({
          ...stack.env(),
          RESOURCE_GRAPH_BATCH_SIZE: '2',
          SCAN_QUEUE_CONNECTION_STRING: stack.azurite.connectionString,
          SCAN_QUEUE_NAME: `batches-${process.pid}`,
        }),
        silentLogger,
      ),
    );
    const accepted = await through(
      startScan(
        request('/api/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
        context(),
      ),
    );
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('Location')).toBe('/api/status');
    const { scanId, statusLocation } = body(accepted);
    expect(scanId).toMatch(/^scan-/);
    expect(statusLocation).toBe('/api/status');

    // No queue trigger runs yet: once planned, the batches wait on the queue and the status shows the running scan.
    const queue = services().batches!.queue;
    let queued = 0;
    for (let i = 0; i < 200 && queued === 0; i++) {
      queued = await queue.approximateCount();
      if (queued === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(queued).toBeGreaterThan(1);
    forgetCachedStatus();
    const running = body(await through(getStatus(request('/api/status'), context())));
    expect(running.lastScan).toMatchObject({
      id: scanId,
      status: 'running',
      progress: {
        subscriptionsDone: 0,
        subscriptionsTotal: DEMO_SUBSCRIPTIONS.length,
        batchesDone: 0,
        batchesTotal: queued,
      },
    });

    // The local host polls the queue with host.json's options (a quicker poll for the test).
    host = await startLocalHost({
      functions: FUNCTIONS,
      schedule: () => '0 0 0 1 1 *',
      port: 0,
      log: silentLogger,
      timers: false,
      functionKey: generateFunctionKey(),
      queues: { queue, settings: { ...queueSettingsOf(HOST_JSON), maxPollingIntervalMs: 200 } },
    });
    let status = running;
    for (let i = 0; i < 600 && status.lastScan.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      forgetCachedStatus();
      status = body(await through(getStatus(request('/api/status'), context())));
    }
    expect(status.lastScan).toMatchObject({
      id: scanId,
      trigger: 'http',
      status: 'succeeded',
      subscriptions: DEMO_SUBSCRIPTIONS.length,
      progress: { subscriptionsDone: DEMO_SUBSCRIPTIONS.length, batchesDone: queued },
    });
    expect(status.findings.open).toBeGreaterThan(0);
    // The last message is deleted once its function (which closed the scan) returns.
    let left = await queue.approximateCount();
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await queue.approximateCount();
    }
    expect(left).toBe(0);
  });
});
