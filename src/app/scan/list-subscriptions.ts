// Stage 1: the subscriptions in scope (so one without a single classic resource is known to be clean), their
// owner tags, the request batches, and whether the listing can be trusted to show everything.
import { toResourceRow, type ResourceRow } from '../../core/resource.js';
import {
  SourceError,
  type GraphQuery,
  type Scope,
  type ScopeFilter,
  type SubscriptionLister,
} from '../ports.js';
import { arrivalPool, DEFAULT_CHAINS, eachConcurrently } from './chains.js';
import { describe, SubscriptionStates, type ContainerTags, type StageContext } from './state.js';

const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';
const RESOURCE_GROUP_TYPE = 'microsoft.resources/subscriptions/resourcegroups';

/** The most subscriptions one Resource Graph request may list: the batch of the reads taken whole. */
export const WIDE_BATCH = 1000;

export interface ListingInput {
  readonly scope: Scope;
  /**
   * Lists a tenant or management-group scope through ARM, without Resource Graph's 10,000-subscription cap; the
   * scan then queries explicit batches. Without it (offline sources), such a scope is queried as it is.
   */
  readonly lister?: SubscriptionLister | undefined;
  /** Names of subscriptions known from earlier scans, for ones the listing misses. */
  readonly knownNames?: ReadonlyMap<string, string> | undefined;
  /** Tag names worth keeping from subscriptions and resource groups (owner tags). */
  readonly keepTag?: ((name: string) => boolean) | undefined;
  /**
   * Subscriptions the previous complete scan saw, and the largest fraction of them that may vanish
   * before the scan distrusts the listing (a lost role assignment) and keeps their findings.
   */
  readonly coverage?:
    { readonly previous: ReadonlySet<string>; readonly maxDropFraction: number } | undefined;
}

export interface Listing {
  readonly states: SubscriptionStates;
  /** The request scopes the streamed stage pages through (the source's batch size: several chains at once). */
  readonly batches: Scope[];
  /** The request scopes of the reads taken whole (references, retirement sources): up to 1,000 subscriptions each. */
  readonly wideBatches: Scope[];
  readonly containers: ContainerTags;
  /** The subscriptions left out by the filter (lower-case): never queried, never reconciled. */
  readonly excluded: ReadonlySet<string>;
  /** Set when the scan cannot go on at all. */
  readonly fatal?: string | undefined;
  /** Set when the listing cannot be trusted to show every subscription: nothing that vanished is resolved. */
  readonly coverageReason?: string | undefined;
  readonly vanished: number;
  /** Set when Resource Graph said it answered for part of the scope only: the scan is partial. */
  readonly limited?: string | undefined;
}

export const SUBSCRIPTION_LIMIT_REASON =
  'Resource Graph answered for the first 10,000 subscriptions of the scope only (x-ms-tenant-subscription-limit-hit); subscriptions past them were not scanned and keep their findings';

export async function listSubscriptions(ctx: StageContext, input: ListingInput): Promise<Listing> {
  const { source, log, signal } = ctx;
  const { scope } = input;
  const states = new SubscriptionStates(input.knownNames);
  const containers = new Map<string, Record<string, string>>();
  const keep = (raw: Readonly<Record<string, string>> | undefined) => {
    if (!raw || !input.keepTag) return undefined;
    const kept = Object.entries(raw).filter(([name]) => input.keepTag?.(name));
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  };
  const excluded = new Set((ctx.filter?.excludeSubscriptions ?? []).map((id) => id.toLowerCase()));
  const subscriptionFilter: ScopeFilter | undefined = excluded.size
    ? { excludeSubscriptions: [...excluded] }
    : undefined;
  let fatal: string | undefined;
  let batches: Scope[] = [];
  const forbidden = new Map<string, string>();
  let limitHit = false;
  const listing: GraphQuery = {
    table: 'resourcecontainers',
    types: input.keepTag ? [SUBSCRIPTION_TYPE, RESOURCE_GROUP_TYPE] : [SUBSCRIPTION_TYPE],
    columns: ['id', 'name', 'type', 'subscriptionId', 'tags'],
    exclude: subscriptionFilter,
  };
  // A subscription the identity cannot read fails its whole batch (403): halve the batch until it is alone.
  const listBatch = async (batch: Scope): Promise<void> => {
    const rows: ResourceRow[] = [];
    try {
      for await (const page of source.pages(listing, batch, signal, (n) => {
        if (n.subscriptionLimitHit) limitHit = true;
      })) {
        for (const raw of page) {
          const parsed = toResourceRow(raw);
          if (parsed.ok && parsed.row.subscriptionId) rows.push(parsed.row);
        }
      }
    } catch (error) {
      if (
        error instanceof SourceError &&
        error.reason === 'forbidden' &&
        batch.kind === 'subscriptions'
      ) {
        if (batch.ids.length === 1) {
          forbidden.set(batch.ids[0] as string, error.message);
          return;
        }
        const half = Math.ceil(batch.ids.length / 2);
        await listBatch({ kind: 'subscriptions', ids: batch.ids.slice(0, half) });
        await listBatch({ kind: 'subscriptions', ids: batch.ids.slice(half) });
        return;
      }
      throw error;
    }
    batches.push(batch);
    for (const row of rows) {
      const tags = keep(row.tags);
      if (tags) containers.set(row.id.toLowerCase(), tags);
      if (row.type !== SUBSCRIPTION_TYPE) continue;
      const state = states.of(row.subscriptionId);
      state.displayName = row.name;
      state.tags = row.tags ?? {};
    }
  };
  // In the source's batch size, not 1,000: with resource groups (owner tags) the listing is many pages, and
  // more chains keep the quota busy while they page.
  const chains = ctx.chains ?? DEFAULT_CHAINS;
  // A tenant or management group listed through ARM becomes an explicit list: past 10,000 subscriptions too. ARM
  // pages come one after another (`nextLink`): each page's subscriptions are listed in Resource Graph while the
  // next page is on its way, instead of after the last one (12 pages of 1,000 took 12 s under the latency model).
  let listed: Scope = scope;
  let listedThroughArm = false;
  if (input.lister && scope.kind !== 'subscriptions') {
    const pool = arrivalPool(chains, listBatch);
    // Full batches go at once; the last, maybe partial, one waits for the next page's subscriptions (so that the
    // listing costs as many requests as when it waited for every page).
    let held: string[] = [];
    const release = (all: boolean) => {
      const split = held.length > 0 ? source.batches({ kind: 'subscriptions', ids: held }) : [];
      const first = split[0];
      const last = split.at(-1);
      const full =
        split.length > 1 &&
        first?.kind === 'subscriptions' &&
        last?.kind === 'subscriptions' &&
        last.ids.length === first.ids.length;
      const go = all || full ? split : split.slice(0, -1);
      for (const b of go) pool.add(b);
      held = go.length < split.length && last?.kind === 'subscriptions' ? [...last.ids] : [];
    };
    try {
      const all = await input.lister.list(scope, signal, (page) => {
        for (const s of page) states.of(s.subscriptionId).displayName = s.displayName;
        held = [
          ...held,
          ...page.map((s) => s.subscriptionId).filter((id) => !excluded.has(id.toLowerCase())),
        ];
        release(false);
      });
      release(true);
      listed = { kind: 'subscriptions', ids: all.map((s) => s.subscriptionId).sort() };
      listedThroughArm = true;
      log('subscriptions listed', { subscriptions: all.length, through: 'arm' });
    } catch (error) {
      fatal = `listing the subscriptions in scope failed: ${describe(error)}`;
    }
    try {
      await pool.close();
    } catch (error) {
      fatal ??= `listing the subscriptions in scope failed: ${describe(error)}`;
    }
  }
  // An explicit list loses its excluded subscriptions before any request: they are never queried.
  const effectiveScope: Scope =
    listed.kind === 'subscriptions'
      ? { kind: 'subscriptions', ids: listed.ids.filter((id) => !excluded.has(id.toLowerCase())) }
      : listed;
  try {
    if (!fatal && !listedThroughArm)
      await eachConcurrently(
        source
          .batches(effectiveScope)
          .filter((b) => b.kind !== 'subscriptions' || b.ids.length > 0),
        chains,
        listBatch,
      );
  } catch (error) {
    fatal = `listing the subscriptions in scope failed: ${describe(error)}`;
  }
  for (const [id, reason] of forbidden) {
    const state = states.of(id);
    state.outcome = 'failed';
    state.reason = `forbidden: the scanner cannot read this subscription (${reason.slice(0, 200)})`;
    state.vanished = true;
  }
  if (effectiveScope.kind === 'subscriptions') for (const id of effectiveScope.ids) states.of(id);
  // The readable subscriptions (the forbidden ones left out), in the batches of each use.
  let wideBatches = batches;
  if (effectiveScope.kind === 'subscriptions') {
    // In the order of the scope (batches listed concurrently may have come back in any order).
    const listedOk = new Set(batches.flatMap((b) => (b.kind === 'subscriptions' ? b.ids : [])));
    const readable = effectiveScope.ids.filter((id) => listedOk.has(id));
    batches = readable.length ? source.batches({ kind: 'subscriptions', ids: readable }) : [];
    wideBatches = readable.length
      ? source.batches({ kind: 'subscriptions', ids: readable }, WIDE_BATCH)
      : [];
  }

  // Past the service's subscription limit a tenant or management-group query answers for some
  // subscriptions only, and not always the same ones: scan the listed ones in explicit batches instead.
  let limited: string | undefined;
  if (limitHit && !fatal && scope.kind !== 'subscriptions') {
    limited = SUBSCRIPTION_LIMIT_REASON;
    log('subscription limit hit', { listed: states.size });
    const ids = [...states.keys()].sort();
    batches = source.batches({ kind: 'subscriptions', ids });
    wideBatches = source.batches({ kind: 'subscriptions', ids }, WIDE_BATCH);
  }

  // Coverage: subscriptions the last complete scan saw that the listing no longer shows.
  let coverageReason: string | undefined = limited;
  let vanishedCount = 0;
  if (!fatal && input.coverage && scope.kind !== 'subscriptions') {
    const previous = input.coverage.previous;
    const vanished = [...previous].filter((id) => !states.has(id) && !excluded.has(id));
    vanishedCount = vanished.length;
    const fraction = previous.size > 0 ? vanished.length / previous.size : 0;
    const trusted = !limited && fraction <= input.coverage.maxDropFraction;
    if (!trusted && !limited) {
      coverageReason = `coverage dropped: ${vanished.length} of ${previous.size} subscriptions scanned before are no longer visible (a lost role assignment?); their findings are kept`;
      log('coverage dropped', { vanished: vanished.length, previous: previous.size });
    }
    for (const id of vanished) {
      const state = states.of(id);
      // A small drop is believed (subscriptions do get deleted): reconciled as empty. A large one is not.
      if (!trusted) {
        state.vanished = true;
        state.outcome = 'failed';
        state.reason = limited
          ? 'not listed: past the subscription limit of a tenant-wide query; findings kept'
          : 'no longer visible to the scanner; findings kept (coverage dropped)';
      }
    }
  }
  return {
    states,
    batches,
    wideBatches,
    containers,
    excluded,
    fatal,
    coverageReason,
    vanished: vanishedCount,
    limited,
  };
}
