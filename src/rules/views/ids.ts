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

// A filter in front of lookups by resource id: most rows are in no such lookup (no role assignment or alert rule
// targets them), and building their key (lower-casing an id of 150 characters) and hashing it was a sixth of rule
// evaluation (profiled). The filter hashes the last TAIL characters of the key straight from the raw id instead.

/** How many characters, from the end of a key, the filter hashes. */
const TAIL = 16;
/** log2 of the filter's size in bits. */
export const TAIL_BITS = 16;

/**
 * A hash of `s[end - TAIL, end)`, ASCII letters lower-cased, in [0, 2^TAIL_BITS); -1 when those characters are not
 * all visible ASCII (whitespace, control characters and non-ASCII, which lower-case in ways this does not follow).
 */
function tailHash(s: string, end: number): number {
  if (end < TAIL) return -1;
  let h = 0x811c9dc5;
  for (let i = end - TAIL; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c < 33 || c > 126) return -1;
    if (c >= 65 && c <= 90) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> (32 - TAIL_BITS);
}

/** The filter hash of a key (as `resourceKey` makes it), or -1. */
export function keyTail(key: string): number {
  return tailHash(key, key.length);
}

/**
 * The filter hash of `resourceKey(id)`, read from the raw id without building the key, or -1 when that cannot be
 * done this way. Whenever it is not -1, it equals `keyTail(resourceKey(id))`: trimming and lower-casing leave the
 * last characters of an id alone when they are visible ASCII (trailing ASCII whitespace is skipped as `trim` does; any
 * other trailing whitespace is non-ASCII and gives -1), and the key drops one trailing slash after the trim.
 */
export function idTail(id: string): number {
  let end = id.length;
  for (; end > 0; end--) {
    const c = id.charCodeAt(end - 1);
    if (c !== 32 && (c < 9 || c > 13)) break;
  }
  if (end > 0 && id.charCodeAt(end - 1) === 47) end--;
  return tailHash(id, end);
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
