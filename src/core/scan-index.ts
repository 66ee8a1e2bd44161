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
  const shared = sharedViews(base);
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
      const known = memos.get(key);
      if (known !== undefined || memos.has(key)) return known as T;
      // A view that reads only types this layer has no rows of is the base's own view: built once per scan and
      // shared by every subscription, instead of walking every reference row once per subscription.
      const view = shared.of(key, build);
      const value =
        !view.byId && [...view.types].every((type) => index.ofType(type).length === 0)
          ? (view.value as T)
          : build(layered);
      memos.set(key, value);
      return value;
    },
  };
  return layered;
}

/** A view built over the base alone, with what it read: the types it listed, and whether it looked up an id. */
interface SharedView {
  readonly value: unknown;
  readonly types: ReadonlySet<string>;
  readonly byId: boolean;
}

const sharedByBase = new WeakMap<ScanIndex, Map<string, SharedView>>();

/**
 * The views of a base index, each built once over it through a recorder. A build is a function of what it reads:
 * a layer with no rows of the types it read (and no lookups by id, which any row could answer) gives it the same
 * input, hence the same value.
 */
function sharedViews(base: ScanIndex): {
  of(key: string, build: (ix: ScanIndex) => unknown): SharedView;
} {
  let views = sharedByBase.get(base);
  if (!views) sharedByBase.set(base, (views = new Map()));
  const cache = views;
  const of = (key: string, build: (ix: ScanIndex) => unknown): SharedView => {
    const known = cache.get(key);
    if (known) return known;
    const types = new Set<string>();
    let byId = false;
    const recorder: ScanIndex = {
      byId: (id) => {
        byId = true;
        return base.byId(id);
      },
      ofType: (type) => {
        types.add(type.toLowerCase());
        return base.ofType(type);
      },
      memo<T>(inner: string, innerBuild: (ix: ScanIndex) => T): T {
        // A view built on another view read what that one read.
        const view = of(inner, innerBuild as (ix: ScanIndex) => unknown);
        for (const t of view.types) types.add(t);
        byId ||= view.byId;
        return view.value as T;
      },
    };
    const value = build(recorder);
    const view = { value, types, byId };
    cache.set(key, view);
    return view;
  };
  return { of };
}

function indexOf(rowSets: readonly (readonly ResourceRow[])[]): ScanIndex {
  const byType = new Map<string, ResourceRow[]>();
  for (const rows of rowSets) {
    for (const row of rows) {
      const list = byType.get(row.type);
      if (list) list.push(row);
      else byType.set(row.type, [row]);
    }
  }
  // Built on the first lookup by id: no rule of the catalog asks one, and lower-casing every id of every
  // subscription for nothing was a tenth of rule evaluation (profiled).
  let byId: Map<string, ResourceRow> | undefined;
  const idMap = (): Map<string, ResourceRow> => {
    if (!byId) {
      byId = new Map();
      for (const rows of rowSets) for (const row of rows) byId.set(row.id.toLowerCase(), row);
    }
    return byId;
  };
  const memos = new Map<string, unknown>();
  const index: ScanIndex = {
    byId: (id) => (typeof id === 'string' ? idMap().get(id.toLowerCase()) : undefined),
    ofType: (type) => byType.get(type.toLowerCase()) ?? EMPTY,
    memo<T>(key: string, build: (index: ScanIndex) => T): T {
      const known = memos.get(key);
      if (known !== undefined || memos.has(key)) return known as T;
      const value = build(index);
      memos.set(key, value);
      return value;
    },
  };
  return index;
}
