// E-mail addresses as the app accepts them: lengths checked before any pattern, every check linear in the input.
// (RFC 5321 §4.5.3.1: a local part of at most 64 octets, a path of at most 256, so an address of at most 254.)

export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

/** Characters never allowed in a local part here: space, controls, and the ones that break headers or lists. */
const LOCAL = /^[A-Za-z0-9.!#$%&*+/=?^_`{|}~'-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/**
 * `local@domain.tld` with a dot-atom local part and a domain of letter-digit-hyphen labels (two or more).
 * Anything longer than 254 characters is refused before a pattern looks at it, and each pattern is anchored
 * and free of nested quantifiers, so the check is linear in the length.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length < 5 || value.length > MAX_ADDRESS_LENGTH) return false;
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL.test(local)) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label));
}

/** The domain of an address, lower-cased ("" if it has none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** Whether an address belongs to one of the allowed domains (the domain itself or one of its subdomains). */
export function inAllowedDomains(address: string, domains: readonly string[]): boolean {
  const domain = domainOf(address);
  return domains.some((d) => {
    const allowed = d.toLowerCase();
    return domain === allowed || domain.endsWith(`.${allowed}`);
  });
}

/** A domain name as EMAIL_ALLOWED_DOMAINS takes it: labels of letters, digits and hyphens, at least two. */
export function isDomainName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((l) => l.length <= MAX_LABEL_LENGTH && LABEL.test(l));
}
