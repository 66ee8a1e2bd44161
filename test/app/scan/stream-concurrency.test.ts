// Several batches streamed at once: each its own chain with its own grouper, so a subscription is handed on
// once, with all its rows, whatever the other chains do — and a failing chain fails only its own unfinished ones.
import { describe, expect, it } from 'vitest';
import {
  SourceError,
  type GraphQuery,
  type ResourceSource,
  type Scope,
} from '../../../src/app/ports.js';
import {
  STORING_AT_ONCE,
  STORING_ROWS,
  streamSubscriptions,
} from '../../../src/app/scan/stream-subscriptions.js';
import { SubscriptionStates } from '../../../src/app/scan/state.js';

const sub = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const SUBS = Array.from({ length: 12 }, (_, i) => sub(i + 1));
const ROWS_PER_SUB = 5;
const FAILING = sub(9);

/** Rows sorted by id per batch, two a page, a tick between pages so chains interleave; counts chains at once. */
function fakeSource(rowsPerSub = ROWS_PER_SUB): ResourceSource & { maxActive: number } {
  let active = 0;
  const source = {
    maxActive: 0,
    batches: (scope: Scope, size = 3): Scope[] =>
      scope.kind === 'subscriptions'
        ? Array.from({ length: Math.ceil(scope.ids.length / size) }, (_, i) => ({
            kind: 'subscriptions' as const,
            ids: scope.ids.slice(i * size, i * size + size),
          }))
        : [scope],
    async *pages(_query: GraphQuery, scope: Scope): AsyncIterable<readonly unknown[]> {
      const ids = scope.kind === 'subscriptions' ? [...scope.ids].sort() : [];
      const rows = ids.flatMap((s) =>
        Array.from({ length: rowsPerSub }, (_, i) => ({
          id: `/subscriptions/${s}/resourcegroups/rg/providers/microsoft.classiccompute/virtualmachines/vm${i}`,
          type: 'microsoft.classiccompute/virtualmachines',
          subscriptionId: s,
        })),
      );
      active++;
      source.maxActive = Math.max(source.maxActive, active);
      try {
        for (let at = 0; at < rows.length; at += 2) {
          await new Promise((r) => setImmediate(r));
          // The failing subscription's batch breaks once it reaches that subscription's rows.
          if (rows[at]?.subscriptionId === FAILING)
            throw new SourceError('emulated failure', 'server', 500);
          yield rows.slice(at, at + 2);
        }
      } finally {
        active--;
      }
    },
    stats: () => ({ pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 }),
  };
  return source;
}

describe('streamSubscriptions with concurrent chains', () => {
  it('hands each subscription on once with all its rows; a failed chain fails only its unfinished subscriptions', async () => {
    const source = fakeSource();
    const states = new SubscriptionStates();
    for (const id of SUBS) states.of(id);
    const handed: [string, number][] = [];
    await streamSubscriptions(
      { source, rules: [], now: new Date('2026-06-01T00:00:00Z'), log: () => undefined, chains: 4 },
      {
        batches: source.batches({ kind: 'subscriptions', ids: SUBS }),
        targets: [
          {
            table: 'resources',
            types: ['microsoft.classiccompute/virtualmachines'],
            columns: ['id'],
          },
        ],
        references: undefined,
        states,
        containers: new Map(),
        sink: async (id, _findings, rows) => {
          await new Promise((r) => setImmediate(r));
          handed.push([id, rows.length]);
        },
      },
    );
    expect(source.maxActive).toBeGreaterThanOrEqual(2);
    // Batch [7, 8, 9] breaks on reaching 9's rows: 7 was passed, so complete and handed on; 8's last row came,
    // but no row after it did, so nothing says 8 is whole: it fails with 9. The other batches are untouched.
    const unfinished = [sub(8), FAILING];
    const expected = SUBS.filter((s) => !unfinished.includes(s)).map((s): [string, number] => [
      s,
      ROWS_PER_SUB,
    ]);
    expect([...handed].sort()).toEqual(expected.sort());
    for (const id of SUBS.filter((s) => !unfinished.includes(s)))
      expect(states.get(id)?.outcome).toBe('complete');
    for (const id of unfinished) {
      expect(states.get(id)?.outcome).toBe('failed');
      expect(states.get(id)?.reason).toMatch(/^server: emulated failure/);
    }
  });
});

describe('streamSubscriptions back-pressure', () => {
  it('never stores more than STORING_AT_ONCE subscriptions at once, however many chains wait to hand theirs on', async () => {
    // Storing is slower than fetching (as Table writes are behind Azurite or a busy account): every chain keeps
    // finishing subscriptions while the sink still works on earlier ones.
    const many = Array.from({ length: 96 }, (_, i) => sub(i + 1));
    const source = fakeSource();
    const states = new SubscriptionStates();
    for (const id of many) states.of(id);
    let storing = 0;
    let most = 0;
    const handed: string[] = [];
    await streamSubscriptions(
      { source, rules: [], now: new Date('2026-06-01T00:00:00Z'), log: () => undefined, chains: 8 },
      {
        batches: source.batches({ kind: 'subscriptions', ids: many }, 4),
        targets: [
          {
            table: 'resources',
            types: ['microsoft.classiccompute/virtualmachines'],
            columns: ['id'],
          },
        ],
        references: undefined,
        states,
        containers: new Map(),
        sink: async (id) => {
          storing++;
          most = Math.max(most, storing);
          for (let tick = 0; tick < 20; tick++) await new Promise((r) => setImmediate(r));
          storing--;
          handed.push(id);
        },
      },
    );
    // Every subscription but the failing one's batch-mates was still stored, each once.
    expect(handed.length).toBe(new Set(handed).size);
    expect(handed.length).toBeGreaterThanOrEqual(many.length - 4);
    expect(most).toBe(STORING_AT_ONCE);
  });
});

describe('streamSubscriptions keeps fetching while it stores', () => {
  it("starts a chain's next batch while the subscriptions of its last one are still being stored", async () => {
    // One chain, two batches: the store is slower than a page, so the second batch's request must not wait for
    // the first batch's writes (with every chain waiting for the writes in flight, chains fetched in lockstep and
    // the store sat idle for a page's latency each round).
    const ids = [sub(1), sub(2), sub(3), sub(4)];
    const source = fakeSource();
    const requested: string[] = [];
    const pages = source.pages.bind(source);
    source.pages = (query: GraphQuery, scope: Scope) => {
      if (scope.kind === 'subscriptions') requested.push(scope.ids.join(','));
      return pages(query, scope);
    };
    const states = new SubscriptionStates();
    for (const id of ids) states.of(id);
    let fetchedWhileStoring = false;
    const handed: string[] = [];
    await streamSubscriptions(
      { source, rules: [], now: new Date('2026-06-01T00:00:00Z'), log: () => undefined, chains: 1 },
      {
        batches: source.batches({ kind: 'subscriptions', ids }, 2),
        targets: [
          {
            table: 'resources',
            types: ['microsoft.classiccompute/virtualmachines'],
            columns: ['id'],
          },
        ],
        references: undefined,
        states,
        containers: new Map(),
        sink: async (id) => {
          // A write that takes a while: long enough for the next batch's first page, were it asked for.
          for (let tick = 0; tick < 50 && requested.length < 2; tick++)
            await new Promise((r) => setImmediate(r));
          if (requested.length === 2 && ids.slice(0, 2).includes(id)) fetchedWhileStoring = true;
          handed.push(id);
        },
      },
    );
    expect([...handed].sort()).toEqual(ids);
    expect(fetchedWhileStoring).toBe(true);
    for (const id of ids) expect(states.get(id)?.outcome).toBe('complete');
  });
});

describe('streamSubscriptions bounds what it holds by rows, not by subscriptions alone', () => {
  /** Streams `count` subscriptions of `rows` rows each into a sink slower than fetching; the most stored at once. */
  async function mostAtOnce(
    count: number,
    rows: number,
  ): Promise<{ most: number; handed: number }> {
    const ids = Array.from({ length: count }, (_, i) => sub(100 + i));
    const source = fakeSource(rows);
    const states = new SubscriptionStates();
    for (const id of ids) states.of(id);
    let storing = 0;
    let most = 0;
    let handed = 0;
    await streamSubscriptions(
      { source, rules: [], now: new Date('2026-06-01T00:00:00Z'), log: () => undefined, chains: 8 },
      {
        batches: source.batches({ kind: 'subscriptions', ids }, Math.ceil(count / 8)),
        targets: [
          {
            table: 'resources',
            types: ['microsoft.classiccompute/virtualmachines'],
            columns: ['id'],
          },
        ],
        references: undefined,
        states,
        containers: new Map(),
        sink: async () => {
          storing++;
          most = Math.max(most, storing);
          for (let tick = 0; tick < 40; tick++) await new Promise((r) => setImmediate(r));
          storing--;
          handed++;
        },
      },
    );
    return { most, handed };
  }

  it('stores many small subscriptions at once (a tenant of 12,000 with a row or two each)', async () => {
    // Table writes cost a request each, whatever their size: eight small subscriptions at a time kept a first
    // scan of 12,000 subscriptions waiting on the store's round trips, not on its capacity.
    const { most, handed } = await mostAtOnce(160, 1);
    expect(handed).toBe(160);
    expect(most).toBeGreaterThan(8);
    expect(most).toBeLessThanOrEqual(STORING_AT_ONCE);
  });

  it('stores few large subscriptions at once: the rows held stay bounded', async () => {
    const rows = Math.ceil(STORING_ROWS / 3);
    const { most, handed } = await mostAtOnce(16, rows);
    expect(handed).toBe(16);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(Math.floor(STORING_ROWS / rows));
  });
});

describe('streamSubscriptions does not run its chains in lockstep', () => {
  it('stores the earliest batch first, so its chain asks for its next page while the others still store', async () => {
    // Four chains, one page a batch, subscriptions large enough that only a few are stored at once. Taken first
    // come, first served, the chains' subscriptions were stored in turn, every chain finished its batch at the same
    // moment and all asked for their next pages together, while the store had nothing left to do.
    const rows = Math.ceil(STORING_ROWS / 3);
    const ids = Array.from({ length: 32 }, (_, i) => sub(200 + i));
    const states = new SubscriptionStates();
    for (const id of ids) states.of(id);
    const events: string[] = [];
    const source: ResourceSource = {
      batches: () => [],
      async *pages(_query: GraphQuery, scope: Scope): AsyncIterable<readonly unknown[]> {
        const batch = scope.kind === 'subscriptions' ? scope.ids : [];
        events.push(`request ${ids.indexOf(batch[0] as string) / 4}`);
        await new Promise((r) => setImmediate(r));
        yield [...batch].sort().flatMap((s) =>
          Array.from({ length: rows }, (_, i) => ({
            id: `/subscriptions/${s}/resourcegroups/rg/providers/microsoft.classiccompute/virtualmachines/vm${String(i).padStart(4, '0')}`,
            type: 'microsoft.classiccompute/virtualmachines',
            subscriptionId: s,
          })),
        );
      },
      stats: () => ({ pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 }),
    };
    await streamSubscriptions(
      { source, rules: [], now: new Date('2026-06-01T00:00:00Z'), log: () => undefined, chains: 4 },
      {
        batches: Array.from({ length: 8 }, (_, b) => ({
          kind: 'subscriptions' as const,
          ids: ids.slice(b * 4, b * 4 + 4),
        })),
        targets: [
          {
            table: 'resources',
            types: ['microsoft.classiccompute/virtualmachines'],
            columns: ['id'],
          },
        ],
        references: undefined,
        states,
        containers: new Map(),
        sink: async () => {
          for (let tick = 0; tick < 20; tick++) await new Promise((r) => setImmediate(r));
          events.push('stored');
        },
      },
    );
    expect(events.filter((e) => e === 'stored')).toHaveLength(ids.length);
    // The later batches are asked for one at a time, about a batch's worth of writes apart (in turn, they came
    // 8, 2 and 1 writes apart: all together at the end of a round).
    const storedAt = (request: string) =>
      events.slice(0, events.indexOf(request)).filter((e) => e === 'stored').length;
    for (const b of [5, 6, 7])
      expect(storedAt(`request ${b}`) - storedAt(`request ${b - 1}`)).toBeGreaterThanOrEqual(3);
  });
});
