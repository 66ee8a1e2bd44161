// Who owns a finding: resource tags, then its resource group's, then its subscription's, then the operator's contacts, then the defaults.

const EMAIL = /^[^\s@<>,;"'()]+@[^\s@<>,;"'()]+\.[^\s@<>,;"'()]+$/;

export interface OwnerSources {
  /** Tag names that name an owner, matched case-insensitively. */
  readonly tagNames: readonly string[];
  readonly resourceTags?: Readonly<Record<string, string>> | undefined;
  readonly resourceGroupTags?: Readonly<Record<string, string>> | undefined;
  readonly subscriptionTags?: Readonly<Record<string, string>> | undefined;
  /** The operator's subscription → contacts mapping. */
  readonly subscriptionContacts?: readonly string[] | undefined;
  readonly defaultRecipients?: readonly string[] | undefined;
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
    if (EMAIL.test(candidate) && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}

function fromTags(
  tags: Readonly<Record<string, string>> | undefined,
  tagNames: readonly string[],
  where: string,
): Owners | undefined {
  if (!tags) return undefined;
  const wanted = tagNames.map((n) => n.toLowerCase());
  const addresses: string[] = [];
  const used: string[] = [];
  // Tag names in the order the operator configured them.
  for (const name of wanted) {
    for (const [key, value] of Object.entries(tags)) {
      if (key.toLowerCase() !== name) continue;
      const found = addressesIn(value).filter((a) => !addresses.includes(a));
      if (found.length > 0) {
        addresses.push(...found);
        if (!used.includes(key)) used.push(key);
      }
    }
  }
  return addresses.length > 0
    ? { addresses, reason: `tag ${used.join(', ')} on ${where}` }
    : undefined;
}

export function ownersOf(sources: OwnerSources): Owners | undefined {
  const contacts = (sources.subscriptionContacts ?? []).flatMap(addressesIn);
  const defaults = (sources.defaultRecipients ?? []).flatMap(addressesIn);
  return (
    fromTags(sources.resourceTags, sources.tagNames, 'the resource') ??
    fromTags(sources.resourceGroupTags, sources.tagNames, 'its resource group') ??
    fromTags(sources.subscriptionTags, sources.tagNames, 'its subscription') ??
    (contacts.length > 0
      ? { addresses: [...new Set(contacts)], reason: 'the subscription contacts list' }
      : undefined) ??
    (defaults.length > 0
      ? { addresses: [...new Set(defaults)], reason: 'the default recipients (no owner found)' }
      : undefined)
  );
}

/** Stored form: `a@x.com;b@y.com`. */
export function formatOwners(owners: Owners | undefined): string | undefined {
  return owners && owners.addresses.length > 0 ? owners.addresses.join(';') : undefined;
}
