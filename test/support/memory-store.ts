// An in-memory FindingStore with the read side the dashboard uses (subscriptions, paged and filtered findings, trend),
// filtering as the Table Storage adapter does; every other method throws. For view tests at tenant scale.
import type {
  FindingFilter,
  FindingPage,
  FindingStore,
  SubscriptionRecord,
  TrendDay,
} from '../../src/app/ports.js';
import type { StoredFinding } from '../../src/core/lifecycle.js';

export function memoryStore(
  findings: readonly StoredFinding[],
  subscriptions: readonly SubscriptionRecord[],
  trend: readonly TrendDay[] = [],
): FindingStore & { readonly queries: FindingFilter[] } {
  const queries: FindingFilter[] = [];
  const matches = (f: StoredFinding, filter: FindingFilter): boolean => {
    if (filter.subscriptionId && f.subscriptionId !== filter.subscriptionId) return false;
    if (filter.status === 'resolved' && f.status !== 'resolved') return false;
    if (filter.status === 'open' && (f.status !== 'open' || f.exemptionId)) return false;
    if (filter.status === 'exempted' && (f.status !== 'open' || !f.exemptionId)) return false;
    if (filter.severity && f.severity !== filter.severity) return false;
    if (filter.ruleId && f.ruleId !== filter.ruleId) return false;
    if (filter.ruleIds && !filter.ruleIds.includes(f.ruleId)) return false;
    if (filter.resolvedScan && f.resolvedScan !== filter.resolvedScan) return false;
    if (
      filter.owner &&
      !(f.owners ?? '')
        .toLowerCase()
        .split(/[;,\s]+/)
        .includes(filter.owner.toLowerCase())
    )
      return false;
    return true;
  };
  const store: Partial<FindingStore> & { queries: FindingFilter[] } = {
    queries,
    loadSubscriptions: () => Promise.resolve([...subscriptions]),
    readTrend: () => Promise.resolve([...trend]),
    queryFindings(filter: FindingFilter, top: number, next?: string): Promise<FindingPage> {
      queries.push(filter);
      const start = next ? Number(next) : 0;
      const items: StoredFinding[] = [];
      let i = start;
      for (; i < findings.length && items.length < top; i++) {
        const f = findings[i] as StoredFinding;
        if (matches(f, filter)) items.push(f);
      }
      return Promise.resolve({ items, ...(i < findings.length ? { next: String(i) } : {}) });
    },
  };
  return new Proxy(store, {
    get(target, name) {
      if (name in target) return target[name as keyof typeof target];
      if (name === 'then') return undefined;
      return () => {
        throw new Error(`memoryStore: ${String(name)} is not implemented`);
      };
    },
  }) as FindingStore & { readonly queries: FindingFilter[] };
}
