import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  digestFingerprint,
  ledgerChanges,
  summarize,
  type LedgerEntry,
} from '../../src/core/digest.js';
import type { StoredFinding } from '../../src/core/lifecycle.js';
import { operationIdOf } from '../../src/app/send-digests.js';

const SUB = '00000000-0000-0000-0000-000000000001';
function f(name: string, over: Partial<StoredFinding> = {}): StoredFinding {
  return {
    subscriptionId: SUB,
    ruleId: 'classic/vm-endpoint-acl',
    severity: 'blocker',
    resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/${name}`,
    resourceName: name,
    resourceType: 'microsoft.classiccompute/virtualmachines',
    resourceGroup: 'rg',
    message: 'm',
    owners: 'a@x.com',
    ownerReason: 'tag owner on the resource',
    status: 'open',
    firstSeen: '2026-01-01T00:00:00Z',
    firstSeenScan: 's1',
    ...over,
  };
}
const retirement = (name: string, deadline: string, over: Partial<StoredFinding> = {}) =>
  f(name, {
    ruleId: 'retirement/cloud-services-extended-support',
    severity: 'warning',
    deadline,
    ...over,
  });
const keyOf = (x: StoredFinding) => `${x.ruleId}|${x.resourceId.toLowerCase()}`;
const now = new Date('2026-11-26T00:00:00Z');

describe('buildDigest', () => {
  it('tells new blockers and warnings, not info, with why the recipient gets them', () => {
    const digest = buildDigest({
      recipient: 'a@x.com',
      findings: [f('vm-A'), f('vm-B', { severity: 'warning' }), f('vm-C', { severity: 'info' })],
      ledger: new Map(),
      now,
    });
    expect(digest.items.map((i) => [i.kind, i.resourceName, i.reason])).toEqual([
      ['new', 'vm-A', 'tag owner on the resource'],
      ['new', 'vm-B', 'tag owner on the resource'],
    ]);
    expect(summarize(digest)).toMatchObject({ newBlockers: 1, newWarnings: 1, resolved: 0 });
  });

  it('tells a deadline again only when it enters a more urgent stage', () => {
    const due = retirement('cs-A', '2027-03-31'); // 125 days: due-180
    const ledger = new Map<string, LedgerEntry>([
      [keyOf(due), { key: keyOf(due), stage: 'due-180' }],
    ]);
    expect(buildDigest({ recipient: 'a@x.com', findings: [due], ledger, now }).items).toEqual([]);
    const later = new Date('2027-03-10T00:00:00Z'); // 21 days: due-30
    const digest = buildDigest({ recipient: 'a@x.com', findings: [due], ledger, now: later });
    expect(digest.items).toMatchObject([
      { kind: 'deadline', urgency: 'due-30', previousUrgency: 'due-180' },
    ]);
    expect(summarize(digest).deadlines).toEqual({ 'due-30': 1 });
    // Far deadlines (`later`) never trigger a deadline notice.
    const far = retirement('asp-A', '2028-09-30');
    const farLedger = new Map<string, LedgerEntry>([
      [keyOf(far), { key: keyOf(far), stage: undefined }],
    ]);
    expect(
      buildDigest({ recipient: 'a@x.com', findings: [far], ledger: farLedger, now }).items,
    ).toEqual([]);
  });

  it('tells resolutions of what the recipient was told, and forgets them after', () => {
    const fixed = f('vm-A', { status: 'resolved', resolvedAt: '2026-11-25T00:00:00Z' });
    const unknown = f('vm-B', { status: 'resolved' });
    const ledger = new Map<string, LedgerEntry>([[keyOf(fixed), { key: keyOf(fixed) }]]);
    const digest = buildDigest({ recipient: 'a@x.com', findings: [fixed, unknown], ledger, now });
    expect(digest.items.map((i) => [i.kind, i.resourceName])).toEqual([['resolved', 'vm-A']]);
    expect(ledgerChanges(digest)).toEqual({ upserts: [], deletes: [keyOf(fixed)] });
  });

  it('leaves exempted findings out, and is deterministic', () => {
    const input = {
      recipient: 'a@x.com',
      findings: [f('vm-B'), f('vm-A')],
      ledger: new Map(),
      now,
    };
    const one = buildDigest(input);
    const two = buildDigest({ ...input, findings: [f('vm-A'), f('vm-B')] });
    expect(digestFingerprint(one)).toBe(digestFingerprint(two));
    expect(operationIdOf(digestFingerprint(one))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(
      buildDigest({ ...input, quiet: (x) => x.resourceName === 'vm-A' }).items.map(
        (i) => i.resourceName,
      ),
    ).toEqual(['vm-B']);
  });
});
