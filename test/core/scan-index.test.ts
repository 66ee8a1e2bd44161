// The layered scan index: a view over the tenant's reference rows is built once per scan, not once per subscription.
import { describe, expect, it } from 'vitest';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex, type ScanIndex } from '../../src/core/scan-index.js';

const row = (id: string, type: string): ResourceRow => {
  const parsed = toResourceRow({ id, type, subscriptionId: id.split('/')[2] });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.row;
};
const ASSIGNMENT = 'microsoft.authorization/roleassignments';
const VM = 'microsoft.classiccompute/virtualmachines';

describe('buildScanIndex layered on the references', () => {
  const refs = Array.from({ length: 50 }, (_, i) =>
    row(`/subscriptions/s${i % 5}/providers/${ASSIGNMENT}/a${i}`, ASSIGNMENT),
  );
  const base = buildScanIndex(refs);

  it('builds a view that reads only types a subscription has no rows of once, shared by every subscription', () => {
    let builds = 0;
    const view = (ix: ScanIndex) => {
      builds++;
      return ix.ofType(ASSIGNMENT).length;
    };
    const values: number[] = [];
    for (let s = 0; s < 20; s++) {
      const own = [row(`/subscriptions/x${s}/providers/${VM}/vm`, VM)];
      values.push(buildScanIndex(own, base).memo('test/assignments', view));
    }
    expect(values).toEqual(Array(20).fill(50));
    expect(builds).toBe(1);
  });

  it('builds it again, over both layers, for a subscription that has rows of a type it reads', () => {
    let builds = 0;
    const view = (ix: ScanIndex) => {
      builds++;
      return ix.ofType(ASSIGNMENT).length;
    };
    const plain = buildScanIndex([row(`/subscriptions/y/providers/${VM}/vm`, VM)], base);
    expect(plain.memo('test/mixed', view)).toBe(50);
    const own = buildScanIndex(
      [row(`/subscriptions/y/providers/${ASSIGNMENT}/mine`, ASSIGNMENT)],
      base,
    );
    expect(own.memo('test/mixed', view)).toBe(51);
    expect(builds).toBe(2);
  });

  it('follows views built on other views, and never shares one that looked a row up by id', () => {
    let inner = 0;
    let outer = 0;
    let byId = 0;
    const innerView = (ix: ScanIndex) => (inner++, ix.ofType(ASSIGNMENT).length);
    const outerView = (ix: ScanIndex) => (outer++, ix.memo('test/inner', innerView) + 1);
    const lookedUp = (ix: ScanIndex) => (byId++, ix.byId('/subscriptions/z/providers/x/y') ? 1 : 0);
    for (let s = 0; s < 3; s++) {
      const own = [row(`/subscriptions/z${s}/providers/${VM}/vm`, VM)];
      const ix = buildScanIndex(own, base);
      expect(ix.memo('test/outer', outerView)).toBe(51);
      ix.memo('test/byid', lookedUp);
    }
    expect(outer).toBe(1);
    expect(inner).toBe(1);
    // Looked up by id: every subscription's own rows may answer, so never shared (1 base probe + 3 layers).
    expect(byId).toBe(4);
  });
});
