// A read-only index of the rows of one evaluation, for rules that look across resources.
import type { ResourceRow } from './resource.js';

export interface ScanIndex {
  /** Case-insensitive lookup by resource id. */
  byId(id: string | undefined | null): ResourceRow | undefined;
  /** Every row of a (lower-case) type. */
  ofType(type: string): readonly ResourceRow[];
  /**
   * A value derived once per index (a lookup map a rule builds from `ofType`), so that
   * cross-resource rules stay linear in the number of rows.
   */
  memo<T>(key: string, build: (index: ScanIndex) => T): T;
}

const EMPTY: readonly ResourceRow[] = Object.freeze([]);

/**
 * Builds an index over rows, optionally layered on a base index (the tenant-wide reference rows),
 * so that the base is indexed once per scan rather than once per subscription.
 */
export function buildScanIndex(rows: readonly ResourceRow[], base?: ScanIndex): ScanIndex {
  const index = indexOf([rows]);
  if (!base) return index;
  const merged = new Map<string, readonly ResourceRow[]>();
  const memos = new Map<string, unknown>();
  const layered: ScanIndex = {
    byId: (id) => index.byId(id) ?? base.byId(id),
    ofType(type) {
      const key = type.toLowerCase();
      let list = merged.get(key);
      if (!list) {
        const own = index.ofType(key);
        const below = base.ofType(key);
        list = own.length === 0 ? below : below.length === 0 ? own : [...own, ...below];
        merged.set(key, list);
      }
      return list;
    },
    memo<T>(key: string, build: (index: ScanIndex) => T): T {
      if (memos.has(key)) return memos.get(key) as T;
      const value = build(layered);
      memos.set(key, value);
      return value;
    },
  };
  return layered;
}

function indexOf(rowSets: readonly (readonly ResourceRow[])[]): ScanIndex {
  const byId = new Map<string, ResourceRow>();
  const byType = new Map<string, ResourceRow[]>();
  for (const rows of rowSets) {
    for (const row of rows) {
      byId.set(row.id.toLowerCase(), row);
      const list = byType.get(row.type);
      if (list) list.push(row);
      else byType.set(row.type, [row]);
    }
  }
  const memos = new Map<string, unknown>();
  const index: ScanIndex = {
    byId: (id) => (typeof id === 'string' ? byId.get(id.toLowerCase()) : undefined),
    ofType: (type) => byType.get(type.toLowerCase()) ?? EMPTY,
    memo<T>(key: string, build: (index: ScanIndex) => T): T {
      if (memos.has(key)) return memos.get(key) as T;
      const value = build(index);
      memos.set(key, value);
      return value;
    },
  };
  return index;
}
