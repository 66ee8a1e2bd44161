// The emulator's per-user quota (headers, 429 + Retry-After) and its fault injection, through the SDK.
import { request as httpsRequest } from 'node:https';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FixedWindowQuota,
  formatTimeSpan,
  parseQuota,
} from '../../../dev/emulators/resource-graph/quota.js';
import {
  startResourceGraphEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../../dev/emulators/resource-graph/server.js';
import {
  clientFor,
  namedTenant,
  pageAll,
  query,
  rejection,
  SUB_A,
  SUB_B,
  SUB_C,
} from './harness.js';

const TIMESPAN = /^\d{2}:\d{2}:\d{2}(\.\d{7})?$/;
const PAGED = 'resources | project id, name, subscriptionId | order by id asc';

let running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((e) => e.close()));
  running = [];
});

async function start(
  options: Partial<EmulatorOptions> = {},
): Promise<{ emulator: RunningEmulator; client: ResourceGraphClient }> {
  const emulator = await startResourceGraphEmulator({
    tenant: namedTenant(),
    quota: { requests: 1000, windowMs: 1000 },
    ...options,
  });
  running.push(emulator);
  return { emulator, client: clientFor(emulator) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('quota helpers', () => {
  it('formats .NET TimeSpan "c" strings', () => {
    expect(formatTimeSpan(5000)).toBe('00:00:05');
    expect(formatTimeSpan(4250)).toBe('00:00:04.2500000');
    expect(formatTimeSpan(0.1234)).toBe('00:00:00.0001234');
    expect(formatTimeSpan(3_723_000)).toBe('01:02:03');
    expect(formatTimeSpan(90_061_500)).toBe('1.01:01:01.5000000');
  });

  it('parses quota flags', () => {
    expect(parseQuota('15/5s')).toEqual({ requests: 15, windowMs: 5000 });
    expect(parseQuota('3/1000ms')).toEqual({ requests: 3, windowMs: 1000 });
    expect(parseQuota('100/1m')).toEqual({ requests: 100, windowMs: 60_000 });
    expect(() => parseQuota('fast')).toThrow(/REQUESTS\/WINDOW/);
  });

  it('opens a window at the first request after the previous one ended', () => {
    const q = new FixedWindowQuota({ requests: 2, windowMs: 1000 });
    q.charge(100);
    q.charge(500);
    expect(q.exhausted(900)).toBe(true);
    expect(q.state(900)).toEqual({ remaining: 0, resetsAfterMs: 200 });
    // The window [100, 1100) is over; the next one starts at 1500, not 1100.
    expect(q.exhausted(1500)).toBe(false);
    q.charge(1500);
    expect(q.state(2000)).toEqual({ remaining: 1, resetsAfterMs: 500 });
  });
});

describe('quota through the SDK', () => {
  it('reports the quota on every answer and throttles past it with 429 + Retry-After', async () => {
    const { emulator, client } = await start({ quota: { requests: 3, windowMs: 1000 } });
    const remaining: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { headers } = await query(client, { query: 'resources | take 1' });
      remaining.push(headers['x-ms-user-quota-remaining'] ?? '');
      expect(headers['x-ms-user-quota-resets-after']).toMatch(TIMESPAN);
    }
    // An error answer costs quota too.
    const errorHeaders: Record<string, string | undefined> = {};
    await rejection(
      query(client, { query: 'resources | summarize count()' }, { headers: errorHeaders }),
    );
    remaining.push(errorHeaders['x-ms-user-quota-remaining'] ?? '');
    expect(remaining).toEqual(['2', '1', '0']);

    const throttledHeaders: Record<string, string | undefined> = {};
    const throttled = await rejection(
      query(client, { query: 'resources' }, { headers: throttledHeaders }),
    );
    expect(throttled.statusCode).toBe(429);
    expect(throttled.code).toBe('RateLimiting');
    expect(throttledHeaders['retry-after']).toBe('1');
    expect(throttledHeaders['x-ms-user-quota-remaining']).toBe('0');
    const resetsAfter = throttledHeaders['x-ms-user-quota-resets-after'] ?? '';
    expect(resetsAfter).toMatch(TIMESPAN);
    // A second 429 costs nothing and still says when to come back.
    await rejection(query(client, { query: 'resources' }));
    expect(emulator.stats()).toMatchObject({ requests: 5, served: 2, throttled: 2, failed: 1 });

    const [, , seconds = '0'] = resetsAfter.split(':');
    await sleep(Math.ceil(Number(seconds) * 1000) + 20);
    const after = await query(client, { query: 'resources | take 1' });
    expect(after.headers['x-ms-user-quota-remaining']).toBe('2');
  });

  it('refuses an unauthenticated request with 401 before the quota, and charges no one for it', async () => {
    const { emulator, client } = await start({ quota: { requests: 1, windowMs: 60_000 } });
    await query(client, { query: 'resources | take 1' });
    // The window is spent: an authenticated request gets 429, one without a token still gets ARM's 401.
    expect((await rejection(query(client, { query: 'resources' }))).statusCode).toBe(429);
    const response = await new Promise<{ status: number; quota: unknown }>((resolve, reject) => {
      const req = httpsRequest(
        `${emulator.url}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01`,
        { method: 'POST', ca: emulator.ca, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              quota: res.headers['x-ms-user-quota-remaining'],
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: 'resources' }));
    });
    expect(response).toEqual({ status: 401, quota: undefined });
    expect(emulator.stats().throttled).toBe(1);
  });

  it('rounds Retry-After up to whole seconds', async () => {
    const { client } = await start({ quota: { requests: 1, windowMs: 2500 } });
    await query(client, { query: 'resources | take 1' });
    const headers: Record<string, string | undefined> = {};
    await rejection(query(client, { query: 'resources' }, { headers }));
    expect(headers['retry-after']).toBe('3');
    expect(headers['x-ms-user-quota-resets-after']).toMatch(/^00:00:02\.\d{7}$/);
  });
});

describe('fault injection', () => {
  it('fails page N of a query with the configured status, and only as often as told', async () => {
    const { emulator, client } = await start({
      faults: {
        rules: [
          { when: { page: 1, queryContains: 'ORDER BY ID' }, respond: { status: 503 }, times: 1 },
        ],
      },
    });
    const first = await query(client, { query: PAGED, options: { top: 2 } });
    const failed = await rejection(
      query(client, { query: PAGED, options: { skipToken: first.response.skipToken } }),
    );
    expect(failed.statusCode).toBe(503);
    expect(failed.code).toBe('ServiceUnavailable');
    // The same token works on the retry: the rule has fired its one time.
    const retried = await query(client, {
      query: PAGED,
      options: { skipToken: first.response.skipToken },
    });
    expect(retried.response.count).toBe(2);
    expect(emulator.requests.map((r) => [r.page, r.status])).toEqual([
      [0, 200],
      [1, 503],
      [1, 200],
    ]);
  });

  it('matches a subscription by the listed scope, or by the rows of a tenant-scope page', async () => {
    const { client } = await start({
      faults: {
        rules: [{ when: { subscription: SUB_C }, respond: { status: 500, code: 'Boom' } }],
      },
    });
    const listed = await rejection(query(client, { subscriptions: [SUB_B, SUB_C], query: PAGED }));
    expect(listed.statusCode).toBe(500);
    expect(listed.code).toBe('Boom');
    await expect(
      query(client, { subscriptions: [SUB_A, SUB_B], query: PAGED }),
    ).resolves.toBeDefined();
    // Tenant scope: SUB_C's rows sort last, so with pages of 5 only the second page holds them.
    const first = await query(client, { query: PAGED, options: { top: 5 } });
    expect(first.response.count).toBe(5);
    const second = await rejection(
      query(client, { query: PAGED, options: { skipToken: first.response.skipToken } }),
    );
    expect(second.statusCode).toBe(500);
  });

  it('answers a 429 rule with Retry-After', async () => {
    const { client } = await start({
      faults: { rules: [{ respond: { status: 429, retryAfterSeconds: 7 }, times: 1 }] },
    });
    const headers: Record<string, string | undefined> = {};
    const error = await rejection(query(client, { query: 'resources' }, { headers }));
    expect(error.statusCode).toBe(429);
    expect(headers['retry-after']).toBe('7');
  });

  it('starts firing only after N requests', async () => {
    const { client } = await start({
      faults: { rules: [{ when: { afterRequests: 2 }, respond: { status: 502 } }] },
    });
    await query(client, { query: 'resources' });
    await query(client, { query: 'resources' });
    expect((await rejection(query(client, { query: 'resources' }))).statusCode).toBe(502);
  });

  it('leaves a hanging request open until the client aborts, and close() still ends at once', async () => {
    const { emulator, client } = await start({
      faults: { rules: [{ when: { page: 1 }, respond: { status: 200, hang: true } }] },
    });
    const first = await query(client, { query: PAGED, options: { top: 2 } });
    const controller = new AbortController();
    const started = Date.now();
    const pending = query(
      client,
      { query: PAGED, options: { skipToken: first.response.skipToken } },
      { abortSignal: controller.signal },
    );
    setTimeout(() => controller.abort(), 150);
    const error = await rejection(pending);
    expect(error.message).toMatch(/abort/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.stats()).toMatchObject({ requests: 2, served: 1, failed: 1 });
    expect(emulator.requests[1]).toMatchObject({ status: 0, page: 1 });

    // Another hanging request, left open: close() must not wait for it.
    const orphan = rejection(
      query(client, { query: PAGED, options: { skipToken: first.response.skipToken } }),
    );
    await sleep(50);
    const closing = Date.now();
    await emulator.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect((await orphan).message).toBeTruthy();
  });

  it('adds latency to every answer, and a rule can delay one answer', async () => {
    const { emulator, client } = await start({ faults: { latencyMs: 120 } });
    let t = Date.now();
    await query(client, { query: 'resources | take 1' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    emulator.setFaults({
      rules: [{ when: { queryContains: 'slow' }, respond: { status: 200, delayMs: 200 } }],
    });
    t = Date.now();
    const { response } = await query(client, { query: "resources | where name != 'slow'" });
    expect(response.totalRecords).toBe(7);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });

  it('throws a throttle storm at the next N requests', async () => {
    const { emulator, client } = await start({ faults: { throttleStorm: 2 } });
    expect((await rejection(query(client, { query: 'resources' }))).statusCode).toBe(429);
    expect((await rejection(query(client, { query: 'resources' }))).statusCode).toBe(429);
    const ok = await query(client, { query: 'resources' });
    expect(ok.response.totalRecords).toBe(7);
    expect(emulator.stats().throttled).toBe(2);
  });

  it('fails a seeded, reproducible share of requests with errorRate', async () => {
    const { emulator, client } = await start();
    const pattern = async (): Promise<number[]> => {
      emulator.setFaults({ errorRate: 0.5, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) {
        try {
          await query(client, { query: 'resources | take 1' });
          out.push(200);
        } catch (error) {
          out.push((error as { statusCode?: number }).statusCode ?? -1);
        }
      }
      return out;
    };
    const first = await pattern();
    const second = await pattern();
    expect(second).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('lets a paging client recover from page faults and still get every row once', async () => {
    const { client } = await start({
      faults: { rules: [{ when: { page: 2 }, respond: { status: 500 }, times: 1 }] },
    });
    await expect(pageAll(client, { query: PAGED, options: { top: 2 } })).rejects.toMatchObject({
      statusCode: 500,
    });
    // The rule is spent: a fresh paging run sees the whole result.
    const { rows, pages } = await pageAll(client, { query: PAGED, options: { top: 2 } });
    expect(pages).toBe(4);
    expect(new Set(rows.map((r) => r.id)).size).toBe(7);
  });

  it('does not charge quota for a hanging request', async () => {
    const { client, emulator } = await start({
      quota: { requests: 2, windowMs: 5000 },
      faults: { rules: [{ respond: { status: 200, hang: true }, times: 1 }] },
    });
    const controller = new AbortController();
    const hanging = rejection(
      query(client, { query: 'resources' }, { abortSignal: controller.signal }),
    );
    await sleep(50);
    controller.abort();
    await hanging;
    const { headers } = await query(client, { query: 'resources | take 1' });
    expect(headers['x-ms-user-quota-remaining']).toBe('1');
    expect(emulator.stats().requests).toBe(2);
  });
});

describe('forbidden subscriptions', () => {
  it('are excluded from tenant scope without an error', async () => {
    const { client } = await start({ faults: { forbiddenSubscriptions: [SUB_A.toUpperCase()] } });
    const { response } = await query(client, { query: PAGED });
    expect(response.totalRecords).toBe(4);
  });
});
