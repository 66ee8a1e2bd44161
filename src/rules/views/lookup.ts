// Per-index lookup maps for cross-resource rules: built once per scan index (memo), so rules stay linear.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { idTail, keyOfRow, keyTail, resourceKey, TAIL_BITS } from './ids.js';

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

/** A lookup by `resourceKey` of an id, with a filter that answers most misses without building the row's key. */
export interface IdLookup<T> {
  readonly byKey: Lookup<T>;
  /** Bit `keyTail(key)` is set for every key of `byKey` (see `idTail`). */
  readonly tails: Uint32Array;
}

/**
 * A lookup by `resourceKey` of the ids `entriesOf` yields for every row of `types`, built once per index: returns
 * the function that gives it for an index (`memoKey` unique in the catalog, as for `lookup`). Made once per rule, at
 * module load, so that asking for it on every row allocates nothing.
 */
export function idLookup<T>(
  memoKey: string,
  types: readonly string[],
  entriesOf: (row: ResourceRow, add: (id: string, value: T) => void) => void,
): (index: ScanIndex) => IdLookup<T> {
  const build = (ix: ScanIndex): IdLookup<T> => {
    const byKey = new Map<string, T[]>();
    const tails = new Uint32Array(2 ** (TAIL_BITS - 5));
    const add = (id: string, value: T): void => {
      const key = resourceKey(id);
      const items = byKey.get(key);
      if (items) {
        items.push(value);
        return;
      }
      byKey.set(key, [value]);
      const tail = keyTail(key);
      if (tail >= 0) tails[tail >>> 5] = (tails[tail >>> 5] as number) | (1 << (tail & 31));
    };
    for (const type of types) {
      for (const row of ix.ofType(type)) entriesOf(row, add);
    }
    return { byKey, tails };
  };
  return (index) => index.memo(memoKey, build);
}

/** The items under the key of a row's id (`keyOfRow`), or an empty list. */
export function itemsOfRow<T>(lookup: IdLookup<T>, row: ResourceRow): readonly T[] {
  const tail = idTail(row.id);
  if (tail >= 0 && ((lookup.tails[tail >>> 5] as number) & (1 << (tail & 31))) === 0) return NONE;
  return lookup.byKey.get(keyOfRow(row)) ?? NONE;
}
