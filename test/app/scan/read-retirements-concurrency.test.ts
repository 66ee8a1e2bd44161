// The retirement sources under real latency: each source's batches are chains already, but the sources themselves
// and the resource-tags reads (one request per 200 impacted resources) must not wait for one another — a scan of
// 12,000 subscriptions spent 12 s on 19 resource-tags requests sent one after another, and the streamed stage
// waits for the retirement sources.
import { describe, expect, it } from 'vitest';
import { advisorMetadataRows, recommendationRow } from '../../../dev/tenants/retirements.js';
import type { GraphQuery, ResourceSource, Scope } from '../../../src/app/ports.js';
import { IDS_PER_QUERY, readRetirements } from '../../../src/app/scan/read-retirements.js';
import { BUILT_IN_DATA_RETIREMENTS } from '../../../src/rules/index.js';

const sub = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const SUBS = [sub(1), sub(2), sub(3)];
/** Enough impacted resources in each subscription for two resource-tags requests a batch. */
const PER_SUB = IDS_PER_QUERY + 50;

type Kind = 'catalog' | 'recommendations' | 'health' | 'manual' | 'tags';

function kindOf(query: GraphQuery): Kind {
  if (query.kql?.includes('where id in~')) return 'tags';
  if (query.table === 'advisorresources')
    return query.types.includes('microsoft.advisor/metadata') ? 'catalog' : 'recommendations';
  if (query.table === 'servicehealthresources') return 'health';
  return 'manual';
}

function catalogEntry(): { typeId: string; feature: string } {
  const row = advisorMetadataRows().find(
    (r) => (r.properties as { language?: string }).language === 'en',
  ) as {
    properties: {
      recommendationTypeId: string;
      sourceProperties: { serviceRetirement: { retirementFeatureName: string } };
    };
  };
  return {
    typeId: row.properties.recommendationTypeId,
    feature: row.properties.sourceProperties.serviceRetirement.retirementFeatureName,
  };
}

/** Answers each query after a few ticks (a request's latency), and notes which kinds were in flight together. */
function fakeSource() {
  const inFlight = new Map<Kind, number>();
  const together = new Set<string>();
  let mostTags = 0;
  const { typeId, feature } = catalogEntry();
  const recommendations = (ids: readonly string[]) =>
    ids.flatMap((s) =>
      Array.from({ length: PER_SUB }, (_, i) =>
        recommendationRow(
          `/subscriptions/${s}/resourceGroups/rg/providers/Microsoft.Web/sites/app${i}`,
          typeId,
          feature,
          '2027-03-31',
        ),
      ),
    );
  const source: ResourceSource = {
    batches: (scope: Scope) => [scope],
    async *pages(query: GraphQuery, scope: Scope): AsyncIterable<readonly unknown[]> {
      const kind = kindOf(query);
      inFlight.set(kind, (inFlight.get(kind) ?? 0) + 1);
      for (const [other, n] of inFlight)
        if (n > 0 && other !== kind) together.add([kind, other].sort().join('+'));
      if (kind === 'tags') mostTags = Math.max(mostTags, inFlight.get(kind) ?? 0);
      try {
        for (let tick = 0; tick < 5; tick++) await new Promise((r) => setImmediate(r));
        const ids = scope.kind === 'subscriptions' ? scope.ids : SUBS;
        if (kind === 'catalog') yield advisorMetadataRows();
        else if (kind === 'recommendations') yield recommendations(ids);
        else yield [];
      } finally {
        inFlight.set(kind, (inFlight.get(kind) ?? 1) - 1);
      }
    },
    stats: () => ({ pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 }),
  };
  return { source, together, mostTags: () => mostTags };
}

describe('readRetirements under latency', () => {
  it('reads the independent sources at the same time, and the resource-tags requests as several chains', async () => {
    const fake = fakeSource();
    const read = await readRetirements(
      {
        source: fake.source,
        rules: [],
        now: new Date('2026-12-01T00:00:00Z'),
        log: () => undefined,
        chains: 8,
      },
      {
        batches: SUBS.map((s) => ({ kind: 'subscriptions' as const, ids: [s] })),
        catalog: BUILT_IN_DATA_RETIREMENTS,
        engineRules: new Set(),
      },
    );
    expect(read.sources.every((s) => s.outcome === 'complete')).toBe(true);
    // The sources are listed in their fixed order, whatever order they ended in.
    expect(read.sources.map((s) => s.source)).toEqual([
      'advisor-catalog',
      'advisor-recommendations',
      'service-health',
      ...read.sources.filter((s) => s.source.startsWith('manual:')).map((s) => s.source),
      'resource-tags',
    ]);
    // Advisor's impacted resources and Service Health do not depend on one another, nor on the catalog.
    expect(fake.together).toContain('health+recommendations');
    expect(fake.together).toContain('catalog+recommendations');
    // Two requests a subscription batch, three batches: not one after another.
    expect(fake.mostTags()).toBeGreaterThanOrEqual(2);
    expect(read.sources.find((s) => s.source === 'resource-tags')?.pages).toBe(2 * SUBS.length);
  });
});
