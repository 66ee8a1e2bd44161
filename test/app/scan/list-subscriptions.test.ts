// The ARM listing and the Resource Graph listing overlap: each ARM page's subscriptions are queried while the next
// ARM page is on its way (ARM pages by `nextLink`, one after another), instead of after the last page.
import { describe, expect, it } from 'vitest';
import type {
  GraphQuery,
  ListedSubscription,
  ResourceSource,
  Scope,
  SubscriptionLister,
} from '../../../src/app/ports.js';
import { listSubscriptions } from '../../../src/app/scan/list-subscriptions.js';

const sub = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

/** Resource Graph's listing of subscriptions: one row per listed subscription; remembers what it was asked. */
function fakeSource(asked: Set<string>, requests: string[][] = []): ResourceSource {
  return {
    batches: (scope: Scope, size = 2): Scope[] =>
      scope.kind === 'subscriptions'
        ? Array.from({ length: Math.ceil(scope.ids.length / size) }, (_, i) => ({
            kind: 'subscriptions' as const,
            ids: scope.ids.slice(i * size, i * size + size),
          }))
        : [scope],
    async *pages(_query: GraphQuery, scope: Scope): AsyncIterable<readonly unknown[]> {
      const ids = scope.kind === 'subscriptions' ? scope.ids : [];
      requests.push([...ids]);
      for (const id of ids) asked.add(id);
      await new Promise((r) => setImmediate(r));
      yield ids.map((id) => ({
        id: `/subscriptions/${id}`,
        name: `Resource Graph name of ${id}`,
        type: 'microsoft.resources/subscriptions',
        subscriptionId: id,
      }));
    },
    stats: () => ({ pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 }),
  };
}

/**
 * ARM pages; before handing out the next one, waits (at most 2 s) for the previous one's first subscription to be
 * asked (a partial last batch may wait for the next page's subscriptions).
 */
function pagedLister(
  pages: string[][],
  asked: Set<string>,
): SubscriptionLister & { overlapped: boolean[] } {
  const overlapped: boolean[] = [];
  return {
    overlapped,
    async list(_scope, _signal, onPage) {
      const all: ListedSubscription[] = [];
      for (const [i, ids] of pages.entries()) {
        if (i > 0) {
          const previous = pages[i - 1]?.[0] ?? '';
          const deadline = Date.now() + 2000;
          while (!asked.has(previous) && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 5));
          overlapped.push(asked.has(previous));
        }
        const page = ids.map((id) => ({ subscriptionId: id, displayName: `ARM name of ${id}` }));
        all.push(...page);
        onPage?.(page);
      }
      return all;
    },
  };
}

describe('listSubscriptions through ARM', () => {
  it('queries each ARM page of subscriptions in Resource Graph before the next ARM page arrives', async () => {
    const asked = new Set<string>();
    const pages = [
      [sub(1), sub(2), sub(3)],
      [sub(4), sub(5), sub(6)],
      [sub(7), sub(8)],
    ];
    const lister = pagedLister(pages, asked);
    const requests: string[][] = [];
    const listing = await listSubscriptions(
      {
        source: fakeSource(asked, requests),
        rules: [],
        now: new Date('2026-12-01T00:00:00Z'),
        log: () => undefined,
        chains: 2,
      },
      { scope: { kind: 'tenant' }, lister },
    );
    expect(lister.overlapped).toEqual([true, true]);
    expect(listing.fatal).toBeUndefined();
    // Every subscription listed once, in batches of the source's size, named by Resource Graph (as before).
    expect([...listing.states.keys()].sort()).toEqual(pages.flat());
    expect(listing.batches.flatMap((b) => (b.kind === 'subscriptions' ? b.ids : []))).toEqual(
      pages.flat(),
    );
    expect(listing.states.of(sub(5)).displayName).toBe(`Resource Graph name of ${sub(5)}`);
    // As many Resource Graph requests as batches of the whole list: [1,2] [3,4] [5,6] [7,8].
    expect(requests).toEqual([
      [sub(1), sub(2)],
      [sub(3), sub(4)],
      [sub(5), sub(6)],
      [sub(7), sub(8)],
    ]);
  });

  it('fails the listing when a Resource Graph batch fails, after the batches in flight have ended', async () => {
    const asked = new Set<string>();
    const source = fakeSource(asked);
    const failing: ResourceSource = {
      ...source,
      async *pages(query, scope, signal, notice) {
        if (scope.kind === 'subscriptions' && scope.ids.includes(sub(4)))
          throw new Error('Resource Graph is down');
        yield* source.pages(query, scope, signal, notice);
      },
    };
    const listing = await listSubscriptions(
      { source: failing, rules: [], now: new Date('2026-12-01T00:00:00Z'), log: () => undefined },
      {
        scope: { kind: 'tenant' },
        lister: pagedLister(
          [
            [sub(1), sub(2)],
            [sub(3), sub(4)],
          ],
          asked,
        ),
      },
    );
    expect(listing.fatal).toMatch(
      /listing the subscriptions in scope failed: .*Resource Graph is down/,
    );
  });
});
