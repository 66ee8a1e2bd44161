// previewDigests: the digests a first scan of an export would send, by recipient.
import { describe, expect, it } from 'vitest';
import { demoTenant } from '../../dev/tenants/demo.js';
import { planDigests, previewDigests } from '../../src/app/preview-digests.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

type Row = { id: string; name: string; tags?: Record<string, string> };
const vmAcl = demoTenant().resources.find((r) => (r as Row).name === 'vm-acl') as Row;
function vm(name: string, tags?: Record<string, string>): Row {
  return { ...structuredClone(vmAcl), id: vmAcl.id.replace(/vm-acl$/, name), name, tags };
}
const options = {
  rules: DEFAULT_CATALOG,
  now: new Date('2026-11-26T00:00:00Z'),
  ownerTags: ['owner', 'OwnerEmail', 'contact'],
  defaultRecipients: [] as string[],
};

describe('previewDigests', () => {
  it('merges owners case-insensitively, one digest per lower-cased address', () => {
    const rows = [
      vm('vm-1', { Owner: 'Alice@Contoso.com' }),
      vm('vm-2', { OWNEREMAIL: 'alice@CONTOSO.com;bob@contoso.com' }),
      vm('vm-3', { contact: 'not an address' }),
    ];
    const plan = planDigests(rows, options);
    expect(plan.digests.map((d) => d.recipient)).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    const alice = plan.digests[0]?.items ?? [];
    expect(new Set(alice.map((i) => i.resourceName))).toEqual(new Set(['vm-1', 'vm-2']));
    // A first scan: everything is new, nothing is a deadline notice or resolved.
    expect(alice.every((i) => i.kind === 'new')).toBe(true);
    expect(alice.find((i) => i.resourceName === 'vm-1')?.reason).toBe('tag Owner on the resource');
    // vm-3 has no owner and there is no default recipient: not mailed, reported as unowned.
    expect(plan.unowned.map((f) => f.resourceName)).toContain('vm-3');
    expect(plan.unowned.every((f) => f.resourceName === 'vm-3')).toBe(true);
  });

  it('sends ownerless findings to the default recipients', () => {
    const rows = [vm('vm-1', { owner: 'alice@contoso.com' }), vm('vm-3')];
    const digests = previewDigests(rows, { ...options, defaultRecipients: ['Ops@Contoso.com'] });
    expect(digests.map((d) => d.recipient)).toEqual(['alice@contoso.com', 'ops@contoso.com']);
    const ops = digests[1]?.items ?? [];
    expect(ops.every((i) => i.resourceName === 'vm-3')).toBe(true);
    expect(ops[0]?.reason).toBe('the default recipients (no owner found)');
  });

  it('names subscriptions by display name when the export has their resourcecontainers rows', () => {
    const sub = vmAcl.id.split('/')[2] as string;
    const rows = [
      vm('vm-1', { owner: 'alice@contoso.com' }),
      {
        id: `/subscriptions/${sub}`,
        name: 'Contoso Legacy Production',
        type: 'microsoft.resources/subscriptions',
        subscriptionId: sub,
        properties: { state: 'Enabled' },
      },
    ];
    const items = previewDigests(rows, options)[0]?.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.subscriptionName === 'Contoso Legacy Production')).toBe(true);
    // Without it, the id.
    const bare = previewDigests([rows[0] as Row], options)[0]?.items ?? [];
    expect(bare.every((i) => i.subscriptionName === sub)).toBe(true);
  });
});
