// The Resource Graph row as the rules see it, and its validation from untrusted JSON.

/** A row of the `resources` (or `authorizationresources`) table, `resultFormat=objectArray`. */
export interface ResourceRow {
  readonly id: string;
  readonly name: string;
  /** Always lower-case (normalised on input). */
  readonly type: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly kind?: string | undefined;
  readonly sku?: unknown;
  readonly properties?: unknown;
}

export type RowResult = { ok: true; row: ResourceRow } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SUBSCRIPTION_IN_ID = /^\/subscriptions\/([^/]+)/i;
const GROUP_IN_ID = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i;

/**
 * Validates one untrusted row. A row needs a string `id` and `type`; every other column is
 * optional and, when it has the wrong shape, dropped rather than trusted.
 */
export function toResourceRow(raw: unknown): RowResult {
  if (!isRecord(raw)) return { ok: false, reason: 'row is not an object' };
  const { id, type } = raw;
  if (typeof id !== 'string' || id.length === 0)
    return { ok: false, reason: 'row has no string "id"' };
  if (typeof type !== 'string' || type.length === 0) {
    return { ok: false, reason: `row ${id} has no string "type"` };
  }
  const subscriptionId =
    typeof raw.subscriptionId === 'string' && raw.subscriptionId.length > 0
      ? raw.subscriptionId
      : (SUBSCRIPTION_IN_ID.exec(id)?.[1] ?? '');
  const resourceGroup =
    typeof raw.resourceGroup === 'string' ? raw.resourceGroup : (GROUP_IN_ID.exec(id)?.[1] ?? '');
  const name = typeof raw.name === 'string' ? raw.name : (id.split('/').pop() ?? id);
  return {
    ok: true,
    row: {
      id,
      name,
      type: type.toLowerCase(),
      subscriptionId: subscriptionId.toLowerCase(),
      resourceGroup,
      location: typeof raw.location === 'string' ? raw.location : undefined,
      tags: toTags(raw.tags),
      kind: typeof raw.kind === 'string' ? raw.kind : undefined,
      sku: raw.sku ?? undefined,
      properties: raw.properties ?? undefined,
    },
  };
}

function toTags(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value)) {
    if (typeof tagValue === 'string') tags[key] = tagValue;
    else if (typeof tagValue === 'number' || typeof tagValue === 'boolean')
      tags[key] = String(tagValue);
  }
  return tags;
}

/**
 * Whether the row carries `properties` (an object, possibly empty). Exports such as `az resource list`
 * have none: what they would say is unknown, not absent.
 */
export function hasProperties(row: Pick<ResourceRow, 'properties'>): boolean {
  return isRecord(row.properties);
}

/** Resource ids compare case-insensitively. */
export function sameId(a: string | undefined | null, b: string | undefined | null): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

export function idKey(id: string): string {
  return id.toLowerCase();
}
