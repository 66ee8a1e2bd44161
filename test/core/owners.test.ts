import { describe, expect, it } from 'vitest';
import { addressesIn, ownersOf } from '../../src/core/owners.js';

const TAGS = ['owner', 'Owner', 'OwnerEmail', 'contact', 'createdBy'];

describe('ownersOf', () => {
  it('takes resource tags first, matched case-insensitively, several addresses, non-addresses ignored', () => {
    expect(
      ownersOf({
        tagNames: TAGS,
        resourceTags: {
          OWNER: 'Alice@Contoso.com; bob@contoso.com',
          CreatedBy: 'the platform team',
          env: 'x@y.z',
        },
        resourceGroupTags: { owner: 'rg@contoso.com' },
      }),
    ).toEqual({
      addresses: ['alice@contoso.com', 'bob@contoso.com'],
      reason: 'tag OWNER on the resource',
    });
  });

  it('falls back to the resource group, the subscription, the contacts list and the defaults, in order', () => {
    const base = { tagNames: TAGS, resourceTags: { owner: 'not an address' } };
    expect(
      ownersOf({
        ...base,
        resourceGroupTags: { contact: 'rg@contoso.com' },
        subscriptionTags: { owner: 's@contoso.com' },
      }),
    ).toEqual({
      addresses: ['rg@contoso.com'],
      reason: 'tag contact on its resource group',
    });
    expect(ownersOf({ ...base, subscriptionTags: { OwnerEmail: 's@contoso.com' } })?.reason).toBe(
      'tag OwnerEmail on its subscription',
    );
    expect(
      ownersOf({
        ...base,
        subscriptionContacts: ['ops@contoso.com'],
        defaultRecipients: ['d@contoso.com'],
      }),
    ).toEqual({
      addresses: ['ops@contoso.com'],
      reason: 'the subscription contacts list',
    });
    expect(ownersOf({ ...base, defaultRecipients: ['d@contoso.com'] })?.reason).toMatch(
      /default recipients/,
    );
    expect(ownersOf(base)).toBeUndefined();
  });

  it('reads addresses out of messy values and ignores hostile ones', () => {
    expect(addressesIn('<a@b.co>, c@d.io;e@f.org  junk')).toEqual(['a@b.co', 'c@d.io', 'e@f.org']);
    expect(addressesIn('"<script>"@x.com')).toEqual([]);
    expect(addressesIn('x@y')).toEqual([]);
  });
});
