// Stage 3: each batch's rows, streamed page by page, grouped by subscription, evaluated and handed on once a
// subscription's rows have all been seen. A batch that fails leaves its unfinished subscriptions as they were.
import { evaluate, type RuleError } from '../../core/engine.js';
import { planMigration } from '../../core/migration-plan.js';
import { summarizePlan, type PlanSummary } from '../../core/plan-summary.js';
import type { Finding } from '../../core/finding.js';
import { toResourceRow, type ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { DEFAULT_THRESHOLDS } from '../../core/urgency.js';
import { SourceError, type GraphQuery, type Scope } from '../ports.js';
import { DEFAULT_CHAINS, eachConcurrently } from './chains.js';
import { SubscriptionGrouper } from './group-by-subscription.js';
import type { RetirementRead } from './read-retirements.js';
import { findingKey } from '../../core/finding.js';

/** The engine's findings and the retirement sources', one per rule and resource (the engine's first). */
function withRetirements(engine: Finding[], sourced: readonly Finding[] | undefined): Finding[] {
  if (!sourced?.length) return engine;
  const seen = new Set(engine.map(findingKey));
  return [...engine, ...sourced.filter((f) => !seen.has(findingKey(f)))];
}
import {
  describe,
  type ContainerTags,
  type StageContext,
  type SubscriptionStates,
} from './state.js';

/**
 * What is being handed on (stored) at once, across every chain. Each subscription holds its rows, findings and
 * Table transaction bodies until stored: when storing is slower than fetching (a first scan), a bound that chains
 * could overrun let a 2,000-subscription scan hold 359 subscriptions' writes at once (README, "Benchmark"). So the
 * rows held are bounded (STORING_ROWS: about eight subscriptions of a hundred resources, as before); but a request
 * costs the store more than an entity, so small subscriptions go many at once (up to STORING_AT_ONCE): eight at a
 * time, a tenant of 12,000 subscriptions of a row or two each waited on the store's round trips, not its capacity.
 */
export const STORING_AT_ONCE = 64;
/** The most rows the subscriptions being stored may hold together (one larger than that is stored alone). */
export const STORING_ROWS = 1000;

/**
 * Holders of a weight (a subscription's rows), at most `limit` at once and `budget` of weight together (one that
 * weighs more than the budget holds it alone); the others wait, the lowest priority (the earliest batch) first,
 * then first come first served. Served in turn, every chain finished its batch at the same moment and all asked
 * for their next pages together, the store idle meanwhile; the earliest batch first, its chain asks for its next
 * page while the others' subscriptions are still being stored.
 */
class Slots {
  private held = 0;
  private weight = 0;
  /** Waiters by priority (lower first), then first come. */
  private readonly waiting: { weight: number; priority: number; admit: () => void }[] = [];

  constructor(
    private readonly limit: number,
    private readonly budget: number,
  ) {}

  private fits(weight: number): boolean {
    return this.held === 0 || (this.held < this.limit && this.weight + weight <= this.budget);
  }

  enter(weight: number, priority = 0): Promise<void> | undefined {
    weight = Math.max(1, weight);
    if (this.waiting.length === 0 && this.fits(weight)) {
      this.held++;
      this.weight += weight;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1] as { priority: number }).priority > priority) at--;
      this.waiting.splice(at, 0, { weight, priority, admit: resolve });
      // Ahead of a larger waiter that does not fit, it may fit now.
      this.admit();
    });
  }

  /** Frees what a holder of `weight` held. */
  leave(weight: number): void {
    this.held--;
    this.weight -= Math.max(1, weight);
    this.admit();
  }

  /** The first waiters go in while they fit. */
  private admit(): void {
    for (let next = this.waiting[0]; next && this.fits(next.weight); next = this.waiting[0]) {
      this.waiting.shift();
      this.held++;
      this.weight += next.weight;
      next.admit();
    }
  }
}

/** Called once per subscription whose rows were all seen; a throw marks that subscription failed. */
export type SubscriptionSink = (
  subscriptionId: string,
  findings: Finding[],
  rows: readonly ResourceRow[],
  containers: ContainerTags,
  /** Lower-case ids of resources a tag exclusion left out: their stored findings stay as they are. */
  excluded: ReadonlySet<string>,
  /** What the retirement sources could not see this time, and what they keep once seen. */
  retirements?: RetirementScope,
  /** The subscription's migration plan, summed up (units never span subscriptions). */
  plan?: PlanSummary,
) => Promise<void>;

/** How the retirement sources' stored findings are treated by a subscription's reconciliation. */
export interface RetirementScope {
  /** Rules whose source was not read completely: their stored findings stay as they are. */
  frozen(ruleId: string): boolean;
  /**
   * Findings that stay open once seen when the source no longer lists them (aged-out notices), while their
   * resource exists.
   */
  keepUnseen(ruleId: string, resourceId: string): boolean;
  /** A resource kept open once seen that a complete read no longer found: its findings resolve. */
  gone?(resourceId: string): boolean;
  /** The own tags of a resource a retirement finding is on (its row is not among the scan's targets). */
  tagsOf?(resourceId: string): Readonly<Record<string, string>> | undefined;
  /** A resource the scope's tag exclusions leave out: its stored findings stay as they are. */
  excluded?(resourceId: string): boolean;
}

export interface StreamInput {
  readonly batches: readonly Scope[];
  readonly targets: readonly GraphQuery[];
  readonly references: ScanIndex | undefined;
  readonly states: SubscriptionStates;
  readonly containers: ContainerTags;
  readonly sink: SubscriptionSink;
  /** The retirement sources' findings by lower-case subscription id, and the rules they could not decide. */
  readonly retirements?: Pick<
    RetirementRead,
    'bySubscription' | 'frozen' | 'keepUnseen' | 'gone' | 'tagsOf' | 'excluded'
  >;
}

export interface StreamResult {
  readonly resources: number;
  readonly ruleErrors: RuleError[];
}

export async function streamSubscriptions(
  ctx: StageContext,
  input: StreamInput,
): Promise<StreamResult> {
  const { source, log, signal } = ctx;
  const { states, targets } = input;
  const ruleErrors: RuleError[] = [];
  let resources = 0;
  const pending = new Set<Promise<void>>();
  /** Each finished batch's last step, once its own writes have settled. */
  const settling: Promise<void>[] = [];
  const slots = new Slots(STORING_AT_ONCE, STORING_ROWS);

  // Back-pressure: a chain waits for room before it evaluates and stores a subscription, so fetching pauses while
  // STORING_AT_ONCE subscriptions or STORING_ROWS rows are being stored, whatever the number of chains.
  const handOn = async (
    subscriptionId: string,
    rows: ResourceRow[],
    excluded: ReadonlySet<string>,
    own: Set<Promise<void>>,
    batchIndex: number,
  ): Promise<void> => {
    await slots.enter(rows.length, batchIndex);
    try {
      own.add(start(subscriptionId, rows, excluded));
    } catch (error) {
      slots.leave(rows.length);
      throw error;
    }
  };
  const start = (
    subscriptionId: string,
    rows: ResourceRow[],
    excluded: ReadonlySet<string>,
  ): Promise<void> => {
    const weight = rows.length;
    const state = states.of(subscriptionId);
    const evaluation = evaluate(rows, {
      rules: ctx.rules,
      now: ctx.now,
      references: input.references,
      thresholds: ctx.thresholds ?? DEFAULT_THRESHOLDS,
    });
    ruleErrors.push(...evaluation.ruleErrors);
    const findings = withRetirements(
      evaluation.findings,
      input.retirements?.bySubscription.get(subscriptionId.toLowerCase()),
    );
    // The plan reads the index the rules read: computed here, while it exists, and stored in summary.
    const plan = summarizePlan(planMigration(evaluation.index, findings));
    const task = input
      .sink(subscriptionId, findings, rows, input.containers, excluded, input.retirements, plan)
      .then(
        () => {
          state.outcome = 'complete';
          delete state.reason;
        },
        (error: unknown) => {
          state.outcome = 'failed';
          state.reason = `storing findings failed: ${describe(error)}`;
        },
      )
      .finally(() => {
        pending.delete(task);
        slots.leave(weight);
      });
    pending.add(task);
    return task;
  };

  // Each batch is its own chain — its own grouper, its own finality — and several run at once, under the
  // source's one pacer; evaluation and storage overlap the fetching (the sink's back-pressure above).
  const streamBatch = async (batch: Scope, index: number): Promise<void> => {
    if (signal?.aborted) return;
    const inBatch = batch.kind === 'subscriptions' ? new Set(batch.ids) : undefined;
    const belongs = (id: string) => (inBatch ? inBatch.has(id) : true);
    const grouper = new SubscriptionGrouper();
    const handed = new Set<string>();
    // This batch's own subscriptions being stored (the chain does not wait for other chains' writes).
    const own = new Set<Promise<void>>();
    try {
      const excluded = await taggedIds(ctx, targets, batch);
      const handAll = async (groups: [string, ResourceRow[]][]) => {
        for (const [subscriptionId, rows] of groups) {
          handed.add(subscriptionId);
          await handOn(subscriptionId, rows, excluded.get(subscriptionId) ?? new Set(), own, index);
        }
      };
      for (const [i, query] of targets.entries()) {
        // With several queries, a subscription is final only once the last one has passed it.
        const last = i === targets.length - 1;
        for await (const page of source.pages(query, batch, signal)) {
          for (const raw of page) {
            const parsed = toResourceRow(raw);
            if (!parsed.ok) {
              log('malformed row skipped', { reason: parsed.reason });
              continue;
            }
            resources++;
            await handAll(grouper.add(parsed.row, last));
          }
        }
      }
      if (grouper.outOfOrder) log('rows arrived out of order', { subscriptions: inBatch?.size });
      // The batch completed: every subscription of it still open is final, rows or not.
      await handAll(grouper.finish());
      for (const [subscriptionId, state] of states) {
        if (
          belongs(subscriptionId) &&
          !handed.has(subscriptionId) &&
          state.outcome === 'unreached' &&
          !state.vanished
        ) {
          handed.add(subscriptionId);
          await handOn(subscriptionId, [], excluded.get(subscriptionId) ?? new Set(), own, index);
        }
      }
    } catch (error) {
      const reason =
        error instanceof SourceError ? `${error.reason}: ${error.message}` : describe(error);
      log('batch failed', { reason, subscriptions: inBatch?.size });
      // Subscriptions whose rows were all seen were handed on; the rest of the batch keeps its findings.
      states.failIncomplete(reason, (id) => belongs(id) && !handed.has(id));
    }
    // The chain goes on to its next batch while this one's last subscriptions are still being stored (waiting for
    // the writes in flight kept the chains in lockstep: each round's pages were asked for only once the store was
    // idle). Its tainted subscriptions are marked once their own writes have settled.
    settling.push(
      Promise.all(own).then(() => {
        for (const subscriptionId of grouper.tainted) {
          const state = states.of(subscriptionId);
          state.outcome = 'failed';
          state.reason =
            'its rows did not arrive in the order asked for (order by id): not reconciled further';
        }
      }),
    );
  };
  await eachConcurrently(input.batches, ctx.chains ?? DEFAULT_CHAINS, streamBatch);
  await Promise.all(pending);
  await Promise.all(settling);
  return { resources, ruleErrors };
}

/**
 * The ids of resources a tag exclusion leaves out, by subscription: their findings were not looked at, so
 * what is stored for them stays as it was. One small query per excluded tag, only when there is one.
 */
async function taggedIds(
  ctx: StageContext,
  targets: readonly GraphQuery[],
  batch: Scope,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const tags = ctx.filter?.excludeTags ?? [];
  if (tags.length === 0) return out;
  const subscriptions = ctx.filter?.excludeSubscriptions;
  for (const target of targets) {
    for (const tag of tags) {
      const query: GraphQuery = {
        table: target.table,
        types: target.types,
        columns: ['id', 'subscriptionId'],
        ...(subscriptions?.length ? { exclude: { excludeSubscriptions: subscriptions } } : {}),
        onlyTagged: tag,
      };
      for await (const page of ctx.source.pages(query, batch, ctx.signal)) {
        for (const raw of page) {
          const parsed = toResourceRow({ type: target.types[0], ...(raw as object) });
          if (!parsed.ok) continue;
          let set = out.get(parsed.row.subscriptionId);
          if (!set) out.set(parsed.row.subscriptionId, (set = new Set()));
          set.add(parsed.row.id.toLowerCase());
        }
      }
    }
  }
  return out;
}
