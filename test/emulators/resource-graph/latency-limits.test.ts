// The emulator's latency model and Resource Graph's scope limits: an explicit list of at most 1,000
// subscriptions, tenant and management-group queries over the first 10,000 (here: a small limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LATENCY,
  latencyModel,
  parseLatency,
} from '../../../dev/emulators/resource-graph/latency.js';
import {
  MAX_LISTED_SUBSCRIPTIONS,
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../../dev/emulators/resource-graph/server.js';
import { syntheticTenant } from '../../../dev/tenants/synthetic.js';
import { clientFor, query, rejection } from './harness.js';

describe('latency model', () => {
  it('charges a base per request and a cost per row, averaging at least 500 ms for a full page by default', () => {
    const exact = latencyModel({ baseMs: 300, perRowMs: 0.7, jitter: 0 });
    expect(exact.delayMs(0)).toBe(300);
    expect(exact.delayMs(1000)).toBe(1000);
    expect(latencyModel(DEFAULT_LATENCY).meanMs(1000)).toBeGreaterThanOrEqual(500);
  });

  it('jitters within its bounds, the same way for the same seed', () => {
    const a = latencyModel({ baseMs: 100, perRowMs: 1, jitter: 0.2, seed: 7 });
    const b = latencyModel({ baseMs: 100, perRowMs: 1, jitter: 0.2, seed: 7 });
    const draws = Array.from({ length: 200 }, () => a.delayMs(100));
    expect(draws).toEqual(Array.from({ length: 200 }, () => b.delayMs(100)));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(160);
    expect(Math.max(...draws)).toBeLessThanOrEqual(240);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });

  it('parses its command-line form and refuses nonsense', () => {
    expect(parseLatency('default')).toEqual(DEFAULT_LATENCY);
    expect(parseLatency('off')).toEqual({ baseMs: 0, perRowMs: 0, jitter: 0 });
    expect(parseLatency('250+0.5±0.1')).toEqual({ baseMs: 250, perRowMs: 0.5, jitter: 0.1 });
    expect(() => parseLatency('fast')).toThrow(/bad latency "fast"/);
    expect(() => latencyModel({ baseMs: 1, perRowMs: 0, jitter: 1.5 })).toThrow(/jitter/);
  });
});

describe('emulator with latency and limits', () => {
  let emulator: RunningEmulator;
  const tenant = syntheticTenant({ subscriptions: 12, resources: 120, seed: 3 });
  const ids = tenant.subscriptions.map((s) => s.subscriptionId);

  beforeAll(async () => {
    emulator = await startResourceGraphEmulator({
      tenant,
      quota: { requests: 100_000, windowMs: 1000 },
      // Small, so the test stays quick; no jitter, so the accounting is exact.
      latency: { baseMs: 2, perRowMs: 1, jitter: 0 },
      subscriptionLimit: 10,
    });
  });
  afterAll(() => emulator.close());

  it('delays each answer by base + rows × per-row, and a small answer overtakes a big one sent before it', async () => {
    const client = clientFor(emulator);
    emulator.resetStats();
    const order: string[] = [];
    const big = query(client, {
      query: 'resources | project id | order by id asc',
      subscriptions: ids,
      options: { top: 100, resultFormat: 'objectArray' },
    }).then((a) => (order.push('big'), a));
    const small = query(client, {
      query: 'resources | project id | order by id asc',
      subscriptions: ids,
      options: { top: 1, resultFormat: 'objectArray' },
    }).then((a) => (order.push('small'), a));
    const [b, s] = await Promise.all([big, small]);
    expect(order).toEqual(['small', 'big']);
    const records = emulator.requests.filter((r) => r.status === 200);
    expect(records.map((r) => [r.rows, r.latencyMs]).sort((x, y) => x[0]! - y[0]!)).toEqual([
      [1, 3],
      [100, 102],
    ]);
    expect((b.response.data as unknown[]).length).toBe(100);
    expect((s.response.data as unknown[]).length).toBe(1);
  });

  it(`refuses an explicit list of more than ${MAX_LISTED_SUBSCRIPTIONS} subscriptions with 400`, async () => {
    const client = clientFor(emulator);
    const many = Array.from(
      { length: MAX_LISTED_SUBSCRIPTIONS + 1 },
      (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    const error = await rejection(
      query(client, { query: 'resources | project id', subscriptions: many }),
    );
    expect(error.statusCode).toBe(400);
    expect(error.details?.error?.details?.[0]?.code).toBe('TooManySubscriptions');
    expect(error.details?.error?.details?.[0]?.message).toContain(
      `(${MAX_LISTED_SUBSCRIPTIONS + 1}) has exceeded the allowed limit ${MAX_LISTED_SUBSCRIPTIONS}`,
    );
  });

  it('answers a tenant query for the first subscriptions of the limit only, and says so in the header', async () => {
    const client = clientFor(emulator);
    const headers: Record<string, string | undefined> = {};
    let limitHit: string | undefined;
    const answered = await client.resources(
      {
        query:
          "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId",
        options: { top: 1000, resultFormat: 'objectArray' },
      },
      {
        onResponse: (raw) => {
          limitHit = raw.headers.get('x-ms-tenant-subscription-limit-hit');
          headers.remaining = raw.headers.get('x-ms-user-quota-remaining');
        },
      },
    );
    expect(limitHit).toBe('true');
    expect((answered.data as unknown[]).length).toBe(10);
    expect(headers.remaining).toBeDefined();
  });
});
