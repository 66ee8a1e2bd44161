// Stage 5's subscription records: a tenant of 12,000 subscriptions has 120 transactions of them to write after its
// last page, one after another they were seconds of the scan's tail.
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../../src/core/lifecycle.js';
import type { FindingStore, SubscriptionRecord } from '../../../src/app/ports.js';
import { runningRecord } from '../../../src/app/run-scan.js';
import { recordSubscriptions } from '../../../src/app/scan/record-scan.js';
import type { SubscriptionOutcomeFacts } from '../../../src/app/scan/reconcile-subscription.js';
import type { SubscriptionState } from '../../../src/app/scan/state.js';

const sub = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

describe('recordSubscriptions', () => {
  it('writes the subscription records in several writes at once, each record once', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => sub(i + 1));
    const states = new Map<string, SubscriptionState>(
      ids.map((id) => [id, { displayName: id, tags: {}, outcome: 'complete' }]),
    );
    const outcomes = new Map<string, SubscriptionOutcomeFacts>(
      ids.map((id) => [
        id,
        {
          counts: emptyCounts(),
          findingsHash: 'h',
          oldestResolvedAt: undefined,
          exemptionMatches: {},
        },
      ]),
    );
    let writing = 0;
    let most = 0;
    const written: string[] = [];
    const store = {
      writeSubscriptions: async (records: readonly SubscriptionRecord[]) => {
        writing++;
        most = Math.max(most, writing);
        for (let tick = 0; tick < 3; tick++) await new Promise((r) => setImmediate(r));
        writing--;
        written.push(...records.map((r) => r.subscriptionId));
        return records.length;
      },
    } as unknown as FindingStore;
    const base = runningRecord('scan-1', 'cli', new Date('2026-12-01T00:00:00Z'));
    const { record, records } = await recordSubscriptions(store, {
      base,
      evaluation: { states, fatal: undefined, resources: 0, ruleErrors: [], vanished: 0 },
      outcomes,
      previous: new Map(),
      endedAt: () => '2026-12-01T00:01:00Z',
      source: { pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 },
    });
    expect(record.status).toBe('succeeded');
    expect(records).toHaveLength(ids.length);
    expect([...written].sort()).toEqual(ids);
    expect(most).toBeGreaterThanOrEqual(2);
  });

  it('fails the scan when a write of records fails', async () => {
    const states = new Map<string, SubscriptionState>([
      [sub(1), { displayName: 'one', tags: {}, outcome: 'complete' }],
    ]);
    const store = {
      writeSubscriptions: () => Promise.reject(new Error('store down')),
    } as unknown as FindingStore;
    const { record } = await recordSubscriptions(store, {
      base: runningRecord('scan-2', 'cli', new Date('2026-12-01T00:00:00Z')),
      evaluation: { states, fatal: undefined, resources: 0, ruleErrors: [], vanished: 0 },
      outcomes: new Map([
        [
          sub(1),
          {
            counts: emptyCounts(),
            findingsHash: 'h',
            oldestResolvedAt: undefined,
            exemptionMatches: {},
          },
        ],
      ]),
      previous: new Map(),
      endedAt: () => '2026-12-01T00:01:00Z',
      source: { pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 },
    });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/storing the subscription records failed: .*store down/);
  });
});
