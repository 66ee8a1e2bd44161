import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { isExpired, reconcile, stateOf, type StoredFinding } from '../../src/core/lifecycle.js';

const SUB = '00000000-0000-0000-0000-000000000001';
function finding(name: string, ruleId = 'classic/vm-endpoint-acl', message = 'acl'): Finding {
  return {
    ruleId,
    severity: 'blocker',
    resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
    resourceName: name,
    resourceType: 'microsoft.classiccompute/virtualmachines',
    subscriptionId: SUB,
    resourceGroup: 'rg',
    message,
  };
}

function apply(stored: StoredFinding[], changes: StoredFinding[]): StoredFinding[] {
  const key = (f: StoredFinding) => `${f.ruleId}|${f.resourceId.toLowerCase()}`;
  const map = new Map(stored.map((f) => [key(f), f]));
  for (const c of changes) map.set(key(c), c);
  return [...map.values()];
}

describe('reconcile', () => {
  it('takes a finding from new to open to resolved to reopened across scans', () => {
    const s1 = reconcile(
      [],
      [finding('vm-A'), finding('vm-B')],
      { scanId: 's1', at: '2026-01-01T00:00:00Z' },
      5,
    );
    expect(s1.counts).toMatchObject({ open: 2, new: 2, resolved: 0, reopened: 0, resources: 5 });
    let stored = apply([], s1.changes);
    expect(stored.map((f) => stateOf(f, 's1'))).toEqual(['new', 'new']);

    const s2 = reconcile(
      stored,
      [finding('vm-A')],
      { scanId: 's2', at: '2026-01-02T00:00:00Z' },
      5,
    );
    expect(s2.changes).toHaveLength(1);
    expect(s2.counts).toMatchObject({ open: 1, new: 0, resolved: 1 });
    stored = apply(stored, s2.changes);
    const b = stored.find((f) => f.resourceName === 'vm-B');
    expect(b && stateOf(b, 's2')).toBe('resolved');
    expect(b?.resolvedAt).toBe('2026-01-02T00:00:00Z');
    const a = stored.find((f) => f.resourceName === 'vm-A');
    expect(a && stateOf(a, 's2')).toBe('open');

    const s3 = reconcile(
      stored,
      [finding('vm-A'), finding('vm-B')],
      { scanId: 's3', at: '2026-01-03T00:00:00Z' },
      5,
    );
    expect(s3.counts).toMatchObject({ open: 2, reopened: 1, new: 0, resolved: 0 });
    stored = apply(stored, s3.changes);
    const b3 = stored.find((f) => f.resourceName === 'vm-B');
    expect(b3 && stateOf(b3, 's3')).toBe('reopened');
    expect(b3?.firstSeen).toBe('2026-01-01T00:00:00Z');
    expect(b3?.resolvedAt).toBeUndefined();
  });

  it('counts the same changes when one scan reconciles a subscription twice (a batch redelivered after a crash)', () => {
    const s1 = reconcile([], [finding('vm-A'), finding('vm-B')], { scanId: 's1', at: 't1' }, 2);
    const stored = apply([], s1.changes);
    const scan2 = { scanId: 's2', at: 't2' };
    const first = reconcile(stored, [finding('vm-B'), finding('vm-C')], scan2, 2);
    expect(first.counts).toMatchObject({ new: 1, resolved: 1, open: 2 });
    // The worker died after writing: the message comes back and the same scan reconciles what it wrote.
    const again = reconcile(
      apply(stored, first.changes),
      [finding('vm-B'), finding('vm-C')],
      scan2,
      2,
    );
    expect(again.changes).toEqual([]);
    expect(again.counts).toEqual(first.counts);
    // A reopening, too.
    const s3 = reconcile(
      apply(stored, first.changes),
      [finding('vm-A')],
      { scanId: 's3', at: 't3' },
      1,
    );
    const after3 = apply(apply(stored, first.changes), s3.changes);
    const s4 = { scanId: 's4', at: 't4' };
    const once = reconcile(after3, [finding('vm-B')], s4, 1);
    expect(once.counts).toMatchObject({ reopened: 1, resolved: 1 });
    expect(reconcile(apply(after3, once.changes), [finding('vm-B')], s4, 1).counts).toEqual(
      once.counts,
    );
  });

  it('writes nothing for an unchanged subscription, and matches ids case-insensitively', () => {
    const s1 = reconcile([], [finding('vm-A')], { scanId: 's1', at: 't1' }, 1);
    const upper = { ...finding('vm-A'), resourceId: finding('vm-A').resourceId.toUpperCase() };
    const s2 = reconcile(s1.changes, [upper], { scanId: 's2', at: 't2' }, 1);
    expect(s2.changes).toEqual([]);
  });

  it('rewrites a finding whose message changed, keeping its history', () => {
    const s1 = reconcile([], [finding('vm-A', undefined, 'one')], { scanId: 's1', at: 't1' }, 1);
    const s2 = reconcile(
      s1.changes,
      [finding('vm-A', undefined, 'two')],
      { scanId: 's2', at: 't2' },
      1,
    );
    expect(s2.changes).toHaveLength(1);
    expect(s2.changes[0]).toMatchObject({ message: 'two', firstSeenScan: 's1', status: 'open' });
  });

  it('prunes only resolved findings past the retention', () => {
    const [open] = reconcile(
      [],
      [finding('vm-A')],
      { scanId: 's1', at: '2026-01-01T00:00:00Z' },
      1,
    ).changes;
    if (!open) throw new Error('no finding');
    const resolved: StoredFinding = {
      ...open,
      status: 'resolved',
      resolvedAt: '2026-01-01T00:00:00Z',
    };
    expect(isExpired(resolved, new Date('2026-06-01T00:00:00Z'), 180)).toBe(false);
    expect(isExpired(resolved, new Date('2026-07-01T00:00:00Z'), 180)).toBe(true);
    expect(isExpired(open, new Date('2030-01-01T00:00:00Z'), 180)).toBe(false);
  });
});
