// Who owns a finding: resource tags, then its resource group's, then its subscription's, then the operator's contacts, then the defaults.
// Only addresses in the allowed domains count: one outside them is refused (reported, never mailed) and the finding
// goes to the next owner in that chain. One tag names at most MAX_ADDRESSES_PER_TAG addresses.
import { inAllowedDomains, isEmailAddress } from './email-address.js';

/** The most addresses taken from one tag value; the rest are refused. */
export const MAX_ADDRESSES_PER_TAG = 5;

export type OwnerLevel = 'resource' | 'resourceGroup' | 'subscription' | 'contacts' | 'defaults';

/** An address a tag (or list) named that is not mailed, and why. */
export interface RefusedAddress {
  readonly address: string;
  readonly level: OwnerLevel;
  /** The tag that named it (tag levels only). */
  readonly tag?: string | undefined;
  readonly why: 'outside the allowed domains' | 'too many addresses in one tag';
}

export interface OwnerSources {
  /** Tag names that name an owner, matched case-insensitively. */
  readonly tagNames: readonly string[];
  readonly resourceTags?: Readonly<Record<string, string>> | undefined;
  readonly resourceGroupTags?: Readonly<Record<string, string>> | undefined;
  readonly subscriptionTags?: Readonly<Record<string, string>> | undefined;
  /** The operator's subscription → contacts mapping. */
  readonly subscriptionContacts?: readonly string[] | undefined;
  readonly defaultRecipients?: readonly string[] | undefined;
  /** Only addresses in these domains (or subdomains) are owners; undefined: no restriction. */
  readonly allowedDomains?: readonly string[] | undefined;
}

export interface Owners {
  /** Lower-cased, de-duplicated addresses. */
  readonly addresses: readonly string[];
  /** Why these people: "tag OwnerEmail on the resource", "default recipients"... */
  readonly reason: string;
}

/** Addresses in a tag value: several may be separated by commas, semicolons or spaces; non-addresses are ignored. */
export function addressesIn(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(/[,;\s]+/)) {
    const candidate = part.replace(/^<|>$/g, '').trim().toLowerCase();
    if (isEmailAddress(candidate) && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}

const WHERE: Record<'resource' | 'resourceGroup' | 'subscription', string> = {
  resource: 'the resource',
  resourceGroup: 'its resource group',
  subscription: 'its subscription',
};

function fromTags(
  tags: Readonly<Record<string, string>> | undefined,
  tagNames: readonly string[],
  level: 'resource' | 'resourceGroup' | 'subscription',
  allowed: (address: string) => boolean,
  refused: RefusedAddress[],
): Owners | undefined {
  if (!tags) return undefined;
  const wanted = tagNames.map((n) => n.toLowerCase());
  const addresses: string[] = [];
  const used: string[] = [];
  // Tag names in the order the operator configured them.
  for (const name of wanted) {
    for (const [key, value] of Object.entries(tags)) {
      if (key.toLowerCase() !== name) continue;
      const found = addressesIn(value);
      for (const [i, address] of found.entries()) {
        if (i >= MAX_ADDRESSES_PER_TAG) {
          refused.push({ address, level, tag: key, why: 'too many addresses in one tag' });
        } else if (!allowed(address)) {
          refused.push({ address, level, tag: key, why: 'outside the allowed domains' });
        } else if (!addresses.includes(address)) {
          addresses.push(address);
          if (!used.includes(key)) used.push(key);
        }
      }
    }
  }
  return addresses.length > 0
    ? { addresses, reason: `tag ${used.join(', ')} on ${WHERE[level]}` }
    : undefined;
}

function fromList(
  list: readonly string[] | undefined,
  level: 'contacts' | 'defaults',
  allowed: (address: string) => boolean,
  refused: RefusedAddress[],
): string[] {
  const out: string[] = [];
  for (const address of new Set((list ?? []).flatMap(addressesIn))) {
    if (allowed(address)) out.push(address);
    else refused.push({ address, level, why: 'outside the allowed domains' });
  }
  return out;
}

/** The owners, and every address on the way that was refused (outside the allowed domains, or too many in a tag). */
export function resolveOwners(sources: OwnerSources): {
  owners: Owners | undefined;
  refused: RefusedAddress[];
} {
  const domains = sources.allowedDomains;
  const allowed = (address: string) => domains === undefined || inAllowedDomains(address, domains);
  const refused: RefusedAddress[] = [];
  const owners =
    fromTags(sources.resourceTags, sources.tagNames, 'resource', allowed, refused) ??
    fromTags(sources.resourceGroupTags, sources.tagNames, 'resourceGroup', allowed, refused) ??
    fromTags(sources.subscriptionTags, sources.tagNames, 'subscription', allowed, refused);
  if (owners) return { owners, refused };
  const contacts = fromList(sources.subscriptionContacts, 'contacts', allowed, refused);
  if (contacts.length > 0)
    return { owners: { addresses: contacts, reason: 'the subscription contacts list' }, refused };
  const defaults = fromList(sources.defaultRecipients, 'defaults', allowed, refused);
  if (defaults.length > 0)
    return {
      owners: { addresses: defaults, reason: 'the default recipients (no owner found)' },
      refused,
    };
  return { owners: undefined, refused };
}

export function ownersOf(sources: OwnerSources): Owners | undefined {
  return resolveOwners(sources).owners;
}

/** Stored form: `a@x.com;b@y.com`. */
export function formatOwners(owners: Owners | undefined): string | undefined {
  return owners && owners.addresses.length > 0 ? owners.addresses.join(';') : undefined;
}
