// Table Storage keys: resource ids hold characters keys may not ('/', '\\', '#', '?', controls), so they are encoded.
import { createHash } from 'node:crypto';

// A key holds 1 KiB of UTF-16: 512 characters (Azurite refuses more). Encoded keys are ASCII.
const MAX_KEY = 500;

/**
 * Encodes any string into a valid PartitionKey/RowKey. encodeURIComponent leaves only
 * `A-Z a-z 0-9 - _ . ! ~ * ' ( )` and `%`, none of them forbidden. Keys are case-folded first
 * because ids compare case-insensitively. Over-long keys become a prefix plus a hash.
 */
export function encodeKey(value: string): string {
  const encoded = encodeURIComponent(value.toLowerCase());
  if (encoded.length <= MAX_KEY) return encoded;
  const hash = createHash('sha256').update(value.toLowerCase()).digest('hex');
  return `${encoded.slice(0, MAX_KEY - 66)}~${hash}`;
}

export function findingRowKey(ruleId: string, resourceId: string): string {
  return encodeKey(`${ruleId}|${resourceId}`);
}

/** Newest first: RowKeys sort ascending, so scans are keyed by inverted time. */
export function invertedTimeKey(iso: string, id: string): string {
  const inverted = 9_999_999_999_999 - Date.parse(iso);
  return `${String(inverted).padStart(13, '0')}-${id}`;
}
