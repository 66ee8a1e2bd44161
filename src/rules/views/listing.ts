// Names in finding messages: short, readable lists that stay bounded on large tenants.
import type { ResourceRow } from '../../core/resource.js';

/** The number of names a message spells out before it says "and N more". */
export const LISTED_NAMES = 5;

/** `a, b and c`, or `a, b, c, d, e and 7 more`. */
export function listNames(names: readonly string[], max: number = LISTED_NAMES): string {
  if (names.length === 0) return '(none)';
  if (names.length === 1) return names[0] ?? '';
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** A resource's name, with its subscription when that differs from the subscription of `from`. */
export function labelOf(row: ResourceRow, from?: ResourceRow): string {
  if (!from || row.subscriptionId === from.subscriptionId || row.subscriptionId === '')
    return row.name;
  return `${row.name} (subscription ${row.subscriptionId})`;
}

/** `1 VM` / `3 VMs`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
