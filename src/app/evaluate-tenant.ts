// Streams a scope through Resource Graph and evaluates the catalog subscription by subscription, as rows arrive.
import { evaluate, RuleSet, type RuleError } from '../core/engine.js';
import type { Finding } from '../core/finding.js';
import { toResourceRow, type ResourceRow } from '../core/resource.js';
import { buildScanIndex, type ScanIndex } from '../core/scan-index.js';
import { DEFAULT_THRESHOLDS, type UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { roleDefinitionsFor } from './role-definitions.js';
import {
  SourceError,
  type GraphQuery,
  type ResourceSource,
  type Scope,
  type ScopeFilter,
  type SubscriptionOutcome,
} from './ports.js';

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
const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';
const RESOURCE_GROUP_TYPE = 'microsoft.resources/subscriptions/resourcegroups';
/** How many subscriptions are being handed on (stored) at once. */
const CONCURRENCY = 8;

export interface SubscriptionState {
  displayName: string;
  /** Seen by the previous complete scan, not listed by this one (lost access, moved, deleted). */
  vanished?: boolean;
  tags: Readonly<Record<string, string>>;
  outcome: SubscriptionOutcome;
  reason?: string;
}

export interface TenantEvaluationDeps {
  readonly source: ResourceSource;
  readonly rules: readonly Rule[];
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
  /** Names of subscriptions known from earlier scans, for ones the listing misses. */
  readonly knownNames?: ReadonlyMap<string, string>;
  /**
   * Subscriptions the previous complete scan saw, and the largest fraction of them that may vanish
   * before the scan distrusts the listing (a lost role assignment) and keeps their findings.
   */
  readonly coverage?: { readonly previous: ReadonlySet<string>; readonly maxDropFraction: number };
  /** Parts of the tenant left out, in the queries themselves. */
  readonly filter?: ScopeFilter;
  /** Tag names worth keeping from subscriptions and resource groups (owner tags); others are dropped on arrival. */
  readonly keepTag?: (name: string) => boolean;
}

/** Called once per subscription whose rows were all seen; a throw marks that subscription failed. */
export type SubscriptionSink = (
  subscriptionId: string,
  findings: Finding[],
  rows: readonly ResourceRow[],
  containers: ContainerTags,
) => Promise<void>;

/** Tags of subscriptions and resource groups, by lower-case id, kept only for the tag names asked for. */
export type ContainerTags = ReadonlyMap<string, Readonly<Record<string, string>>>;

export interface TenantEvaluation {
  readonly states: Map<string, SubscriptionState>;
  /** Set when the scan could not run at all (nothing is complete then). */
  readonly fatal: string | undefined;
  readonly resources: number;
  readonly ruleErrors: RuleError[];
  /** Set when too many subscriptions vanished to trust the listing. */
  readonly coverageReason?: string | undefined;
  readonly vanished: number;
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

/** Reference rows matter only when they point at a classic resource; the rest is dropped on arrival. */
function refersToClassic(row: ResourceRow): boolean {
  return (
    row.properties !== undefined &&
    JSON.stringify(row.properties).toLowerCase().includes('microsoft.classic')
  );
}

/** An error as a short line: reasons are stored and shown, so they stay small (Table Storage caps a property at 64 KiB). */
export function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

export async function evaluateTenant(
  deps: TenantEvaluationDeps,
  scope: Scope,
  sink: SubscriptionSink,
  signal?: AbortSignal,
): Promise<TenantEvaluation> {
  const { source, log } = deps;
  const states = new Map<string, SubscriptionState>();
  const ruleErrors: RuleError[] = [];
  let resources = 0;
  let fatal: string | undefined;
  const stateOf = (subscriptionId: string): SubscriptionState => {
    let state = states.get(subscriptionId);
    if (!state) {
      state = {
        displayName: deps.knownNames?.get(subscriptionId) ?? subscriptionId,
        tags: {},
        outcome: 'unreached',
        reason: 'not reached by this scan',
      };
      states.set(subscriptionId, state);
    }
    return state;
  };

  const containers = new Map<string, Record<string, string>>();
  const keep = (
    raw: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> | undefined => {
    if (!raw || !deps.keepTag) return undefined;
    const kept = Object.entries(raw).filter(([name]) => deps.keepTag?.(name));
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  };

  // 1. The subscriptions in scope, so that one without a single classic resource is known to be clean
  //    (and, with resource groups, the tags that name owners).
  const excluded = new Set((deps.filter?.excludeSubscriptions ?? []).map((id) => id.toLowerCase()));
  const subscriptionFilter: ScopeFilter | undefined = excluded.size
    ? { excludeSubscriptions: [...excluded] }
    : undefined;
  // An explicit list loses its excluded subscriptions before any request: they are never queried.
  const effectiveScope: Scope =
    scope.kind === 'subscriptions'
      ? { kind: 'subscriptions', ids: scope.ids.filter((id) => !excluded.has(id.toLowerCase())) }
      : scope;
  const batches: Scope[] = [];
  const forbidden = new Map<string, string>();
  const listing: GraphQuery = {
    table: 'resourcecontainers',
    types: deps.keepTag ? [SUBSCRIPTION_TYPE, RESOURCE_GROUP_TYPE] : [SUBSCRIPTION_TYPE],
    columns: ['id', 'name', 'type', 'subscriptionId', 'tags'],
    exclude: subscriptionFilter,
  };
  // A subscription the identity cannot read fails its whole batch (403): halve the batch until it is alone.
  const listBatch = async (batch: Scope): Promise<void> => {
    const rows: ResourceRow[] = [];
    try {
      for await (const page of source.pages(listing, batch, signal)) {
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
      const state = stateOf(row.subscriptionId);
      state.displayName = row.name;
      state.tags = row.tags ?? {};
    }
  };
  try {
    for (const batch of source.batches(effectiveScope)) {
      if (batch.kind === 'subscriptions' && batch.ids.length === 0) continue;
      await listBatch(batch);
    }
  } catch (error) {
    fatal = `listing the subscriptions in scope failed: ${describe(error)}`;
  }
  for (const [id, reason] of forbidden) {
    const state = stateOf(id);
    state.outcome = 'failed';
    state.reason = `forbidden: the scanner cannot read this subscription (${reason.slice(0, 200)})`;
    state.vanished = true;
  }
  if (effectiveScope.kind === 'subscriptions') for (const id of effectiveScope.ids) stateOf(id);

  // Coverage: subscriptions the last complete scan saw that the listing no longer shows.
  let coverageReason: string | undefined;
  let vanishedCount = 0;
  if (!fatal && deps.coverage && scope.kind !== 'subscriptions') {
    const vanished = [...deps.coverage.previous].filter(
      (id) => !states.has(id) && !excluded.has(id),
    );
    vanishedCount = vanished.length;
    const fraction =
      deps.coverage.previous.size > 0 ? vanished.length / deps.coverage.previous.size : 0;
    const trusted = fraction <= deps.coverage.maxDropFraction;
    if (!trusted) {
      coverageReason = `coverage dropped: ${vanished.length} of ${deps.coverage.previous.size} subscriptions scanned before are no longer visible (a lost role assignment?); their findings are kept`;
      log('coverage dropped', { vanished: vanished.length, previous: deps.coverage.previous.size });
    }
    for (const id of vanished) {
      const state = stateOf(id);
      // A small drop is believed (subscriptions do get deleted): reconciled as empty. A large one is not.
      if (!trusted) {
        state.vanished = true;
        state.outcome = 'failed';
        state.reason = 'no longer visible to the scanner; findings kept (coverage dropped)';
      }
    }
  }

  // 2. Reference rows (what points at classic resources from anywhere in the tenant), indexed once.
  const planned = queriesFor(deps.rules);
  // Excluded subscriptions, groups, types and tags are filtered in the queries: they cost no quota.
  const targets = planned.targets.map((q) => ({ ...q, exclude: deps.filter }));
  const references = planned.references.map((q) => ({ ...q, exclude: subscriptionFilter }));
  let referenceIndex: ScanIndex | undefined;
  if (!fatal) {
    try {
      const refs: ResourceRow[] = [];
      for (const query of references) {
        for (const batch of batches) {
          for await (const page of source.pages(query, batch, signal)) {
            for (const raw of page) {
              const parsed = toResourceRow(raw);
              if (parsed.ok && refersToClassic(parsed.row)) refs.push(parsed.row);
            }
          }
        }
      }
      refs.push(
        ...(await roleDefinitionsFor(refs, {
          source,
          batches,
          log,
          signal,
          exclude: subscriptionFilter,
        })),
      );
      referenceIndex = buildScanIndex(refs);
      log('references indexed', { rows: refs.length });
    } catch (error) {
      fatal = `reading the resources that refer to classic resources failed: ${describe(error)}`;
    }
  }

  // 3. Targets, streamed page by page: rows arrive sorted by id, so grouped by subscription.
  const pending = new Set<Promise<void>>();
  const tainted = new Set<string>();
  const handOn = (subscriptionId: string, rows: ResourceRow[]): Promise<unknown> => {
    const state = stateOf(subscriptionId);
    const evaluation = evaluate(rows, {
      rules: deps.rules,
      now: deps.now,
      references: referenceIndex,
      thresholds: deps.thresholds ?? DEFAULT_THRESHOLDS,
    });
    ruleErrors.push(...evaluation.ruleErrors);
    const task = sink(subscriptionId, evaluation.findings, rows, containers).then(
      () => {
        state.outcome = 'complete';
        delete state.reason;
      },
      (error: unknown) => {
        state.outcome = 'failed';
        state.reason = `storing findings failed: ${describe(error)}`;
      },
    );
    pending.add(task);
    void task.finally(() => pending.delete(task));
    // Back-pressure: fetching waits while too many subscriptions are being stored.
    return pending.size >= CONCURRENCY ? Promise.race(pending) : Promise.resolve();
  };

  if (!fatal) {
    for (const batch of batches) {
      const closed = new Set<string>();
      const inBatch = batch.kind === 'subscriptions' ? new Set(batch.ids) : undefined;
      const rowsBySub = new Map<string, ResourceRow[]>();
      let current: string | undefined;
      try {
        for (const query of targets) {
          for await (const page of source.pages(query, batch, signal)) {
            for (const raw of page) {
              const parsed = toResourceRow(raw);
              if (!parsed.ok) {
                log('malformed row skipped', { reason: parsed.reason });
                continue;
              }
              const row = parsed.row;
              if (row.subscriptionId !== current) {
                if (current !== undefined && targets.length === 1 && !tainted.has(current)) {
                  closed.add(current);
                  await handOn(current, rowsBySub.get(current) ?? []);
                  rowsBySub.delete(current);
                }
                current = row.subscriptionId;
                // Rows sorted by id come grouped by subscription; one that comes back (ids in mixed
                // case) was evaluated without these rows, so it is not reconciled further.
                if (closed.has(current)) tainted.add(current);
              }
              if (tainted.has(current)) continue;
              let list = rowsBySub.get(current);
              if (!list) rowsBySub.set(current, (list = []));
              list.push(row);
              resources++;
            }
          }
        }
        // The batch completed: every subscription of it still open is complete, rows or not.
        for (const [subscriptionId, rows] of rowsBySub) {
          if (closed.has(subscriptionId)) continue;
          closed.add(subscriptionId);
          await handOn(subscriptionId, rows);
        }
        for (const [subscriptionId, state] of states) {
          const belongs = inBatch ? inBatch.has(subscriptionId) : true;
          if (
            belongs &&
            !closed.has(subscriptionId) &&
            state.outcome === 'unreached' &&
            !state.vanished
          ) {
            closed.add(subscriptionId);
            await handOn(subscriptionId, []);
          }
        }
      } catch (error) {
        const reason =
          error instanceof SourceError ? `${error.reason}: ${error.message}` : describe(error);
        log('batch failed', { reason, subscriptions: inBatch?.size });
        // Subscriptions whose rows were all seen were handed on; the rest of the batch keeps its findings.
        for (const [subscriptionId, state] of states) {
          const belongs = inBatch ? inBatch.has(subscriptionId) : true;
          if (belongs && !closed.has(subscriptionId)) {
            state.outcome = 'failed';
            state.reason = reason;
          }
        }
        if (signal?.aborted) break;
      }
    }
  }
  await Promise.all(pending);
  for (const subscriptionId of tainted) {
    const state = stateOf(subscriptionId);
    state.outcome = 'failed';
    state.reason =
      'its rows did not arrive grouped by subscription (mixed-case ids?): not reconciled further';
  }
  if (fatal) {
    for (const state of states.values()) {
      if (state.outcome !== 'complete') {
        state.outcome = 'failed';
        state.reason = fatal;
      }
    }
  }
  return { states, fatal, resources, ruleErrors, coverageReason, vanished: vanishedCount };
}
