// Stage 2: the rows that point at classic resources from anywhere in the tenant, read once and indexed.
import { toResourceRow, type ResourceRow } from '../../core/resource.js';
import { buildScanIndex, type ScanIndex } from '../../core/scan-index.js';
import type { GraphQuery, Scope, ScopeFilter } from '../ports.js';
import { roleDefinitionsFor } from '../role-definitions.js';
import { DEFAULT_CHAINS, eachConcurrently } from './chains.js';
import { describe, type StageContext } from './state.js';

/** Reference rows matter only when they point at a classic resource; the rest is dropped on arrival. */
export function refersToClassic(row: ResourceRow): boolean {
  return (
    row.properties !== undefined &&
    JSON.stringify(row.properties).toLowerCase().includes('microsoft.classic')
  );
}

export async function indexReferences(
  ctx: StageContext,
  queries: readonly GraphQuery[],
  batches: readonly Scope[],
  excludeSubscriptions: ScopeFilter | undefined,
): Promise<{ index: ScanIndex; rows: ResourceRow[] } | { fatal: string }> {
  try {
    // Every query of every batch is its own chain: several run at once under the source's pacer. Their rows are
    // put together in the chains' order, whatever order they answered in.
    const chains = queries.flatMap((query) => batches.map((batch) => ({ query, batch })));
    const found: ResourceRow[][] = chains.map(() => []);
    await eachConcurrently(chains, ctx.chains ?? DEFAULT_CHAINS, async ({ query, batch }, i) => {
      const q = { ...query, exclude: excludeSubscriptions };
      for await (const page of ctx.source.pages(q, batch, ctx.signal)) {
        for (const raw of page) {
          const parsed = toResourceRow(raw);
          if (parsed.ok && refersToClassic(parsed.row)) found[i]?.push(parsed.row);
        }
      }
    });
    const refs: ResourceRow[] = found.flat();
    // The role definitions the role assignments among them use, so findings name roles, not GUIDs.
    refs.push(
      ...(await roleDefinitionsFor(refs, {
        source: ctx.source,
        batches,
        log: ctx.log,
        signal: ctx.signal,
        exclude: excludeSubscriptions,
      })),
    );
    ctx.log('references indexed', { rows: refs.length });
    return { index: buildScanIndex(refs), rows: refs };
  } catch (error) {
    return {
      fatal: `reading the resources that refer to classic resources failed: ${describe(error)}`,
    };
  }
}
