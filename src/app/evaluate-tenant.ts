// Streams a scope through Resource Graph and evaluates the catalog subscription by subscription, as rows arrive:
// the scan's first stages, in order — list the subscriptions, index the references, stream and evaluate.
import { RuleSet, type RuleError } from '../core/engine.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { BUILT_IN_DATA_RETIREMENTS, claimedTypes } from '../rules/index.js';
import { BUILT_IN_RETIREMENTS } from '../rules/retirement/catalog.js';
import type { GraphQuery, ResourceSource, Scope, ScopeFilter } from './ports.js';
import { indexReferences } from './scan/index-references.js';
import { readRetirements, type RetirementRead } from './scan/read-retirements.js';
import type { DataRetirement } from '../rules/retirement/data-retirements.js';
import type { RetirementSourceOutcome } from './ports.js';
import { listSubscriptions, type ListingInput } from './scan/list-subscriptions.js';
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
    readonly claimed?: ReadonlyMap<string, { ruleId: string; types: readonly string[] }>;
  };
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

export async function evaluateTenant(
  deps: TenantEvaluationDeps,
  scope: Scope,
  sink: SubscriptionSink,
  signal?: AbortSignal,
): Promise<TenantEvaluation> {
  const ctx = { ...deps, signal };
  // 1. The subscriptions in scope and the request batches.
  const listing = await listSubscriptions(ctx, { ...deps, scope });
  const { states } = listing;
  let fatal = listing.fatal;
  let resources = 0;
  let ruleErrors: RuleError[] = [];
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
              // The catalog's rows belong to no subscription: a tenant scope reads them whole.
              ...(scope.kind === 'tenant' ? { catalogBatches: [scope] } : {}),
              catalog: retirementInput.catalog,
              ...(retirementInput.claimed ? { claimed: retirementInput.claimed } : {}),
              exclude: subscriptionFilter,
              engineRules: new Set(
                deps.rules.filter((r) => r.appliesTo.length > 0).map((r) => r.id),
              ),
            })
          : Promise.resolve(undefined),
      ]);
  if (refs && 'fatal' in refs) fatal = refs.fatal;
  const retirements: RetirementRead | undefined = fatal ? undefined : retirementRead;
  // 3. Targets, streamed and evaluated subscription by subscription. Excluded subscriptions, groups,
  //    types and tags are filtered in the queries: they cost no quota.
  if (!fatal && refs && 'index' in refs) {
    const streamed = await streamSubscriptions(ctx, {
      batches: listing.batches,
      targets: planned.targets.map((q) => ({ ...q, exclude: deps.filter })),
      references: refs.index,
      states,
      containers: listing.containers,
      sink,
      ...(retirements ? { retirements } : {}),
    });
    resources = streamed.resources;
    ruleErrors = streamed.ruleErrors;
  }
  if (fatal) states.failIncomplete(fatal);
  return {
    states,
    fatal,
    resources,
    ruleErrors,
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

/** The data-defined retirements the rules hold, as the sources' catalog. */
function defaultRetirements(rules: readonly Rule[]): TenantEvaluationDeps['retirements'] {
  if (!rules.some((r) => r.retirement)) return undefined;
  return { catalog: BUILT_IN_DATA_RETIREMENTS, claimed: claimedTypes(BUILT_IN_RETIREMENTS) };
}
