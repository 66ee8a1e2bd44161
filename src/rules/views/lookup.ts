// Per-index lookup maps for cross-resource rules: built once per scan index (memo), so rules stay linear.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';

export type Lookup<T> = ReadonlyMap<string, readonly T[]>;

const NONE: readonly never[] = Object.freeze([]);

/**
 * Groups what `entriesOf` yields for every row of `types` by (already normalised) key, once per
 * index. `memoKey` must be unique in the catalog: use the view or rule name as a prefix.
 */
export function lookup<T>(
  index: ScanIndex,
  memoKey: string,
  types: readonly string[],
  entriesOf: (row: ResourceRow, add: (key: string, value: T) => void) => void,
): Lookup<T> {
  return index.memo(memoKey, (ix) => {
    const map = new Map<string, T[]>();
    const add = (key: string, value: T): void => {
      const items = map.get(key);
      if (items) items.push(value);
      else map.set(key, [value]);
    };
    for (const type of types) {
      for (const row of ix.ofType(type)) entriesOf(row, add);
    }
    return map;
  });
}

/** The items under a key, or an empty list. */
export function itemsOf<T>(map: Lookup<T>, key: string | undefined): readonly T[] {
  return (key === undefined ? undefined : map.get(key)) ?? NONE;
}
