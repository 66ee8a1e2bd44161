// Issue 19 item 3: addresses are checked by length first, with patterns that cannot backtrack.
import { describe, expect, it } from 'vitest';
import { inAllowedDomains, isEmailAddress } from '../../src/core/email-address.js';

const hostile = (n: number) => `a@${'a.'.repeat(n)} `;

describe('isEmailAddress', () => {
  it('checks addresses by length first and without patterns that backtrack', () => {
    expect(isEmailAddress('lead@contoso.com')).toBe(true);
    expect(isEmailAddress(hostile(500_000))).toBe(false);
    expect(isEmailAddress(`${'a'.repeat(65)}@contoso.com`)).toBe(false);
    for (const bad of ['<script>@x.com', 'a@b', 'a@@b.com', '.a@b.com', 'a..b@c.com', 'a b@c.com'])
      expect(isEmailAddress(bad), bad).toBe(false);
  });

  it('matches allowed domains and their subdomains only', () => {
    expect(inAllowedDomains('a@Contoso.com', ['contoso.com'])).toBe(true);
    expect(inAllowedDomains('a@eu.contoso.com', ['contoso.com'])).toBe(true);
    expect(inAllowedDomains('a@notcontoso.com', ['contoso.com'])).toBe(false);
    expect(inAllowedDomains('a@contoso.com', [])).toBe(false);
  });
});
