// The grouper releases a subscription only when no row still to come can belong to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubscriptionGrouper } from '../../../src/app/scan/group-by-subscription.js';
import { toResourceRow, type ResourceRow } from '../../../src/core/resource.js';

const row = (id: string): ResourceRow => {
  const parsed = toResourceRow({ id, type: 'microsoft.classiccompute/virtualmachines' });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.row;
};
const vm = (sub: string, name: string) =>
  row(
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
  );

/** Feeds rows sorted ordinally, as `order by id asc` returns them; returns each release in order. */
function feed(ids: readonly ResourceRow[]): {
  released: [string, string[]][];
  g: SubscriptionGrouper;
} {
  const g = new SubscriptionGrouper();
  const released: [string, string[]][] = [];
  const sorted = [...ids].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const r of sorted)
    for (const [sub, rows] of g.add(r)) released.push([sub, rows.map((x) => x.name)]);
  for (const [sub, rows] of g.finish()) released.push([sub, rows.map((x) => x.name)]);
  return { released, g };
}

describe('SubscriptionGrouper', () => {
  it('holds a subscription whose upper-case ids sort apart until its lower-case rows have passed', () => {
    const { released } = feed([vm('ABC0', 'a'), vm('abc0', 'b'), vm('bcd1', 'c')]);
    // Upper-case letters sort before lower-case ones: ABC0…, abc0…, bcd1….
    expect(released).toEqual([
      ['abc0', ['a', 'b']],
      ['bcd1', ['c']],
    ]);
  });

  it('waits for every run of a split subscription', () => {
    // "0F…" < "0e…"? '0'='0', 'F'(0x46) < 'e'(0x65): the upper-case run comes first, then 0e…'s own rows, then 0f….
    const { released } = feed([vm('0F00', 'x'), vm('0e00', 'y'), vm('0f00', 'z')]);
    expect(released).toEqual([
      ['0e00', ['y']],
      ['0f00', ['x', 'z']],
    ]);
  });

  it('releases every row of every subscription exactly once, whatever the casing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sub: fc.constantFrom('0a1b', '0A1C', '9f9f', 'abcd', 'beef'),
            upper: fc.boolean(),
            name: fc
              .string({ minLength: 1, maxLength: 4 })
              .map((s) => s.replace(/\//g, '_') || 'n'),
          }),
          { maxLength: 30 },
        ),
        (specs) => {
          const rows = specs.map((s, i) =>
            vm(s.upper ? s.sub.toUpperCase() : s.sub.toLowerCase(), `${s.name}${i}`),
          );
          const { released, g } = feed(rows);
          const subs = released.map(([s]) => s);
          expect(new Set(subs).size).toBe(subs.length);
          expect(g.tainted.size).toBe(0);
          const bySub = new Map<string, Set<string>>();
          for (const r of rows) {
            const set = bySub.get(r.subscriptionId) ?? new Set();
            set.add(r.name);
            bySub.set(r.subscriptionId, set);
          }
          for (const [sub, names] of released) expect(new Set(names)).toEqual(bySub.get(sub));
          expect(subs.sort()).toEqual([...bySub.keys()].sort());
        },
      ),
    );
  });

  it('names a subscription that receives rows after its release (the source broke its order)', () => {
    const g = new SubscriptionGrouper();
    g.add(vm('aaaa', 'a'));
    expect(g.add(vm('bbbb', 'b')).map(([s]) => s)).toEqual(['aaaa']);
    g.add(vm('aaaa', 'late'));
    expect(g.outOfOrder).toBe(true);
    expect([...g.tainted]).toEqual(['aaaa']);
  });
});
