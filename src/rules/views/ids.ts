// Normalised keys of resource ids: lookups compare ids case-insensitively (rules.md, "Data conventions").
import type { ResourceRow } from '../../core/resource.js';

/** The key of a resource id in lookups: trimmed, lower-cased, without a trailing slash. */
export function resourceKey(id: string): string {
  const key = id.trim().toLowerCase();
  return key.endsWith('/') ? key.slice(0, -1) : key;
}

// Several rules look the same row up in a row: remember the key of the last row.
let lastRow: ResourceRow | undefined;
let lastKey = '';

/** `resourceKey(row.id)`, computed once for consecutive calls on the same row. */
export function keyOfRow(row: ResourceRow): string {
  if (row !== lastRow) {
    lastKey = resourceKey(row.id);
    lastRow = row;
  }
  return lastKey;
}

/** What makes an id a classic VNet id (rules.md, "Data conventions"); compared on lower-cased ids. */
const CLASSIC_VNET_SEGMENT = '/providers/microsoft.classicnetwork/virtualnetworks/';

/**
 * The normalised key of the classic VNet an id is or points into (a subnet id, a VNet id with a
 * trailing slash, mixed case): the lower-cased id up to the VNet name. Undefined for any other id.
 */
export function classicVnetKey(id: string | undefined | null): string | undefined {
  if (typeof id !== 'string') return undefined;
  const lc = id.trim().toLowerCase();
  const start = lc.indexOf(CLASSIC_VNET_SEGMENT);
  if (start < 0) return undefined;
  const nameStart = start + CLASSIC_VNET_SEGMENT.length;
  const end = lc.indexOf('/', nameStart);
  if (end === nameStart || nameStart === lc.length) return undefined;
  return end < 0 ? lc : lc.slice(0, end);
}
