// Streams a scope through Resource Graph and evaluates the catalog subscription by subscription, as rows arrive:
// the scan's first stages, in order — list the subscriptions, index the references, stream and evaluate.
import { RuleSet, type RuleError } from '../core/engine.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { ADVISOR_CATALOG_TAKEN, BUILT_IN_DATA_RETIREMENTS, claimedTypes } from '../rules/index.js';
import { BUILT_IN_RETIREMENTS } from '../rules/retirement/catalog.js';
import type { GraphQuery, ResourceSource, Scope, ScopeFilter } from './ports.js';
import { indexReferences } from './scan/index-references.js';
import { readRetirements, type RetirementRead } from './scan/read-retirements.js';
import type { DataRetirement } from '../rules/retirement/data-retirements.js';
import type { RetirementSourceOutcome } from './ports.js';
import { listSubscriptions, type Listing, type ListingInput } from './scan/list-subscriptions.js';
import type { ResourceRow } from '../core/resource.js';
import type { ScanIndex } from '../core/scan-index.js';
import type { ContainerTags, SubscriptionState } from './scan/state.js';
import { streamSubscriptions, type SubscriptionSink } from './scan/stream-subscriptions.js';

export { describe } from './scan/state.js';
export type { ContainerTags, SubscriptionState, SubscriptionSink };

export const ROW_COLUMNS = [
  'id',
  'name',
  'type',
  'location',
  'subscriptionId',
  'resourceGroup',
  'tags',
  'kind',
  'sku',
  'properties',
];

export interface TenantEvaluationDeps extends Omit<ListingInput, 'scope'> {
  /** Hears how many subscriptions will be streamed, in how many request batches, once they are listed. */
  readonly onListed?: (subscriptions: number, batches: number) => void;
  readonly source: ResourceSource;
  readonly rules: readonly Rule[];
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
  /** Parts of the tenant left out, in the queries themselves. */
  readonly filter?: ScopeFilter;
  /** How many query chains a stage runs at once. */
  readonly chains?: number;
  /**
   * The retirement sources' catalog (the built-in snapshot of Advisor's) and the Advisor types hand-written
   * retirements claim. Without it the sources are read only when the rules hold data-defined retirements,
   * with the built-in catalog.
   */
  readonly retirements?: {
    readonly catalog: readonly DataRetirement[];
    /** When that snapshot was taken (YYYY-MM-DD): said whenever it stands in for the live catalog. */
    readonly snapshotTaken?: string | undefined;
    readonly claimed?: ReadonlyMap<string, { ruleId: string; types: readonly string[] }>;
  };
  /** Resources kept open once seen by a Service Health notice (the records' `noticed`): checked to still exist. */
  readonly noticed?: readonly string[];
}

export interface TenantEvaluation {
  readonly states: Map<string, SubscriptionState>;
  /** Set when the scan could not run at all (nothing is complete then). */
  readonly fatal: string | undefined;
  readonly resources: number;
  readonly ruleErrors: RuleError[];
  /** Set when the listing cannot be trusted to show every subscription (nothing vanished is resolved). */
  readonly coverageReason?: string | undefined;
  readonly vanished: number;
  /** Set when Resource Graph answered for part of the scope only. */
  readonly limited?: string | undefined;
  /** How each retirement source read (absent when the rules hold no data-defined retirement). */
  readonly retirementSources?: readonly RetirementSourceOutcome[];
  readonly notEvaluated?: readonly { ruleId: string; reason: string }[];
  /** The retirements the sources made findings for. */
  readonly dataRetirements?: readonly DataRetirement[];
}

/** Types a rule set needs, split by the Resource Graph table that holds them. */
export function queriesFor(rules: readonly Rule[]): {
  targets: GraphQuery[];
  references: GraphQuery[];
} {
  const set = new RuleSet(rules);
  const byTable = (types: string[]): GraphQuery[] => {
    const auth = types.filter((t) => t.startsWith('microsoft.authorization/'));
    const res = types.filter((t) => !t.startsWith('microsoft.authorization/'));
    return [
      ...(res.length ? [{ table: 'resources' as const, types: res, columns: ROW_COLUMNS }] : []),
      ...(auth.length
        ? [{ table: 'authorizationresources' as const, types: auth, columns: ROW_COLUMNS }]
        : []),
    ];
  };
  return { targets: byTable(set.targetTypes()), references: byTable(set.referenceTypes()) };
}

/** What the first stages (list, index, read the retirement sources) leave for the batches to stream. */
export interface PreparedTenant {
  readonly listing: Listing;
  /** The reference index (absent when the scan cannot go on) and the rows it was built from. */
  readonly references?: { readonly index: ScanIndex; readonly rows: readonly ResourceRow[] };
  readonly retirements?: RetirementRead | undefined;
  readonly fatal: string | undefined;
  /** The target queries, with the scope's exclusions. */
  readonly targets: readonly GraphQuery[];
}

/** Stages 1, 2 and 2b: the subscriptions in scope and their batches, the reference index, the retirement sources. */
export async function prepareTenant(
  deps: TenantEvaluationDeps,
  scope: Scope,
  signal?: AbortSignal,
): Promise<PreparedTenant> {
  const ctx = { ...deps, signal };
  // 1. The subscriptions in scope and the request batches.
  const listing = await listSubscriptions(ctx, { ...deps, scope });
  let fatal = listing.fatal;
  const planned = queriesFor(deps.rules);
  const subscriptionFilter = listing.excluded.size
    ? { excludeSubscriptions: [...listing.excluded] }
    : undefined;
  // 2. What points at classic resources, indexed once, and 2b. the retirement sources (Advisor, Service
  //    Health, Manual entries' queries), each safe on its own: read at the same time, in batches of up to
  //    1,000 subscriptions (they are taken whole, not streamed).
  const retirementInput = deps.retirements ?? defaultRetirements(deps.rules);
  const [refs, retirementRead] = fatal
    ? [undefined, undefined]
    : await Promise.all([
        indexReferences(ctx, planned.references, listing.wideBatches, subscriptionFilter),
        retirementInput
          ? readRetirements(ctx, {
              batches: listing.wideBatches,
              catalog: retirementInput.catalog,
              snapshotTaken: retirementInput.snapshotTaken,
              ...(retirementInput.claimed ? { claimed: retirementInput.claimed } : {}),
              exclude: subscriptionFilter,
              ...(deps.noticed?.length ? { noticed: deps.noticed } : {}),
              engineRules: new Set(
                deps.rules.filter((r) => r.appliesTo.length > 0).map((r) => r.id),
              ),
            })
          : Promise.resolve(undefined),
      ]);
  if (refs && 'fatal' in refs) fatal = refs.fatal;
  const retirements: RetirementRead | undefined = fatal ? undefined : retirementRead;
  if (fatal) listing.states.failIncomplete(fatal);
  return {
    listing,
    ...(refs && 'index' in refs ? { references: refs } : {}),
    retirements,
    fatal,
    targets: planned.targets.map((q) => ({ ...q, exclude: deps.filter })),
  };
}

/** The evaluation of a prepared tenant whose batches were streamed (here, or by the batch workers). */
export function tenantEvaluation(
  prepared: Pick<PreparedTenant, 'listing' | 'fatal'> & {
    readonly retirements?: Pick<RetirementRead, 'sources' | 'notEvaluated' | 'retirements'>;
  },
  streamed: { resources: number; ruleErrors: RuleError[] },
  states: Map<string, SubscriptionState> = prepared.listing.states,
): TenantEvaluation {
  const { listing, retirements } = prepared;
  return {
    states,
    fatal: prepared.fatal,
    resources: streamed.resources,
    ruleErrors: streamed.ruleErrors,
    coverageReason: listing.coverageReason,
    vanished: listing.vanished,
    limited: listing.limited,
    ...(retirements
      ? {
          retirementSources: retirements.sources,
          notEvaluated: retirements.notEvaluated,
          dataRetirements: retirements.retirements,
        }
      : {}),
  };
}

export async function evaluateTenant(
  deps: TenantEvaluationDeps,
  scope: Scope,
  sink: SubscriptionSink,
  signal?: AbortSignal,
): Promise<TenantEvaluation> {
  const prepared = await prepareTenant(deps, scope, signal);
  const { listing, references, retirements, fatal } = prepared;
  deps.onListed?.(
    [...listing.states.values()].filter((s) => s.outcome === 'unreached' && !s.vanished).length,
    listing.batches.length,
  );
  let streamed: { resources: number; ruleErrors: RuleError[] } = { resources: 0, ruleErrors: [] };
  // 3. Targets, streamed and evaluated subscription by subscription — batch by batch, the code a queued
  //    batch runs too. Excluded subscriptions, groups, types and tags are filtered in the queries: no quota.
  if (!fatal && references) {
    streamed = await streamSubscriptions(
      { ...deps, signal },
      {
        batches: listing.batches,
        targets: prepared.targets,
        references: references.index,
        states: listing.states,
        containers: listing.containers,
        sink,
        ...(retirements ? { retirements } : {}),
      },
    );
  }
  return tenantEvaluation(prepared, streamed);
}

/** The data-defined retirements the rules hold, as the sources' catalog. */
function defaultRetirements(rules: readonly Rule[]): TenantEvaluationDeps['retirements'] {
  if (!rules.some((r) => r.retirement)) return undefined;
  return {
    catalog: BUILT_IN_DATA_RETIREMENTS,
    snapshotTaken: ADVISOR_CATALOG_TAKEN,
    claimed: claimedTypes(BUILT_IN_RETIREMENTS),
  };
}
