// Soak: twenty scans of a tenant that changes between scans keep the store equal to a fresh evaluation,
// keep the counts honest, and keep memory flat.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import { mutateTenant, syntheticTenant } from '../../dev/tenants/synthetic.js';
import { readStatus } from '../../src/app/read-status.js';
import { startStack, type Stack } from '../support/stack.js';
import { expectedKeys, openKeys, setDiff, storedFindings, subscriptionIds } from './helpers.js';

const SCANS = 20;

/** A real collection before each heap reading (vitest does not expose gc; V8 can be asked for it). */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    tenant: syntheticTenant({ subscriptions: 8, resources: 600, seed: 41 }),
    quota: { requests: 50, windowMs: 200 },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('soak', () => {
  it(`${SCANS} scans of a changing tenant: the store always equals a fresh evaluation, memory stays flat`, async () => {
    const gc = collector();
    const base = syntheticTenant({ subscriptions: 8, resources: 600, seed: 41 });
    const subs = subscriptionIds(base);
    let tenant: Tenant = base;
    const heap: number[] = [];
    let previousOpen = new Set<string>();
    let changes = 0;
    for (let n = 1; n <= SCANS; n++) {
      // Each scan sees a different variant of the tenant (a new seed): some VMs gone, some changed,
      // some new; findings come, go and come back. Variants of one base, not a chain of edits, so the
      // tenant held in memory does not itself grow from scan to scan.
      if (n > 1) tenant = mutateTenant(base, { seed: 1000 + n, fraction: 0.06 });
      stack.graph.setTenant(tenant);
      stack.graph.resetStats(); // the emulator's request log lives in this process too
      const record = await stack.scan(
        { kind: 'tenant' },
        { source: stack.source({ pageSize: 200 }) },
      );
      expect(record.status, `scan ${n}`).toBe('succeeded');
      expect(record.subscriptionsComplete).toBe(subs.length);

      const stored = await storedFindings(stack.store, subs);
      const open = openKeys(stored);
      const expected = expectedKeys(tenant);
      expect(setDiff(expected, open), `scan ${n}`).toEqual({ missing: [], unexpected: [] });
      // The counts say what happened to the store, and the status agrees with both.
      expect(record.counts.open, `scan ${n}`).toBe(open.size);
      expect(record.counts.new + record.counts.reopened, `scan ${n}`).toBe(
        [...open].filter((k) => !previousOpen.has(k)).length,
      );
      expect(record.counts.resolved, `scan ${n}`).toBe(
        [...previousOpen].filter((k) => !open.has(k)).length,
      );
      const status = await readStatus(stack.store, new Date());
      expect(status.lastScan?.id).toBe(record.id);
      expect(status.findings.open).toBe(open.size);
      // Resolved findings stay stored (within retention): the store only grows by what appeared.
      expect([...stored.values()].filter((f) => f.status === 'resolved').length).toBe(
        stored.size - open.size,
      );
      changes += record.counts.new + record.counts.resolved + record.counts.reopened;
      previousOpen = open;

      gc();
      heap.push(process.memoryUsage().heapUsed);
    }
    // The tenant really changed from scan to scan.
    expect(changes).toBeGreaterThan(SCANS * 5);

    // Flat memory: no steady growth from scan 5 (everything warmed up) to scan 20.
    const at5 = heap[4] as number;
    const at20 = heap[SCANS - 1] as number;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    expect(at20, `heap after scan 5: ${mb(at5)}, after scan ${SCANS}: ${mb(at20)}`).toBeLessThan(
      at5 * 1.5 + 50 * 2 ** 20,
    );
    // Least-squares slope over scans 5..20 (measured: ~0.1 MB a scan of warm-up, flat by scan 50;
    // holding on to one scan's rows or findings would add megabytes a scan).
    const xs = heap.slice(4).map((_, i) => i);
    const ys = heap.slice(4);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(xs);
    const my = mean(ys);
    const slope =
      xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0) /
      xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    expect(slope, `heap readings: ${heap.map(mb).join(', ')}`).toBeLessThan(2 ** 20);
  });
});
