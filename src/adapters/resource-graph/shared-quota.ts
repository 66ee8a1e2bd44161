// Processes that spend one identity's Resource Graph quota agree how much of each window each may send.
//
// The quota is per identity ("Guidance for throttled requests in Azure Resource Graph",
// https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests): every
// worker process or Functions instance scanning batches with the app's managed identity draws on the same window.
// The quota headers tell a pacer how much of the window is gone, but not who spends it, and never that nobody else
// will: another worker's requests that arrive after all of this pacer's own are in none of its answers. So the
// workers keep an allocation (`QuotaAllocation`: one table entity changed only under its ETag): each says what it
// would send (its demand) and holds a claim, the requests a window it may send; the claims never add up to more
// than a window.
import { randomUUID } from 'node:crypto';
import type { PacerClock, QuotaPacer } from './pacer.js';

/** One consumer's entry in the allocation. */
export interface ConsumerEntry {
  /** It counts until then (ms since the epoch) unless it renews; an expired entry's claim is free again. */
  readonly until: number;
  /** The requests it had waiting or in flight when it last renewed. */
  readonly demand: number;
  /** The requests a window it may send. */
  readonly claim: number;
  /** The largest window (requests) it has seen; absent before its first answer. */
  readonly limit?: number | undefined;
  /** When it believes the current window ends (ms since the epoch); absent when it does not know. */
  readonly windowEndsAt?: number | undefined;
  /** Requests it sent in that window. */
  readonly used?: number | undefined;
  /** The most it may send in that window (its claim, more when the others leave some, its use when done). */
  readonly cap?: number | undefined;
}

/** Where the consumers of one identity's quota keep their allocation (Table Storage: TableQuotaAllocation). */
export interface QuotaAllocation {
  /**
   * Replaces consumer `id`'s entry by what `decide` returns, given the other live entries and its own (absent when
   * it joins, or when it expired), as one atomic change: `decide` may be called again when another consumer
   * changed the allocation in between. Expired entries are dropped. Answers the others' entries and its own as
   * written.
   */
  update(
    id: string,
    decide: (
      others: ReadonlyMap<string, ConsumerEntry>,
      mine: ConsumerEntry | undefined,
    ) => ConsumerEntry,
    now: number,
  ): Promise<{ others: ReadonlyMap<string, ConsumerEntry>; mine: ConsumerEntry }>;
  /** Removes consumer `id`'s entry (its claim is free again). */
  leave(id: string): Promise<void>;
}

export interface SharedQuotaOptions {
  /** How often a spending consumer renews its entry and reads the others' (default 1 s). */
  readonly refreshMs?: number;
  /**
   * How long an entry counts without renewal (default 5 s): a worker that died frees its claim after this. A
   * consumer that could not renew for `ttlMs − 2 × refreshMs` goes by the answers alone until it can.
   */
  readonly ttlMs?: number;
  /** A consumer with nothing to send for this long leaves (default 5 s); meanwhile it claims one request. */
  readonly idleMs?: number;
  /** Time and sleeping (virtual in tests); by default the wall clock, with timers that do not keep a process up. */
  readonly clock?: PacerClock;
  /** Told once when the allocation cannot be reached. */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * A consumer's claim: in proportion to its demand among everyone's (at least one request, so that one coming back
 * can start; nothing more when it wants nothing), and never more than the others leave.
 */
export function decideClaim(
  others: ReadonlyMap<string, ConsumerEntry>,
  demand: number,
  limit: number | undefined,
): number {
  let held = 0;
  let wanted = demand;
  for (const entry of others.values()) {
    held += entry.claim;
    wanted += entry.demand;
  }
  // Nobody has seen a window yet: the first probes one request at a time (the pacer does), the others wait.
  if (limit === undefined) return held > 0 ? 0 : 1;
  const fair =
    demand === 0 || wanted === 0 ? 1 : Math.max(1, Math.round((limit * demand) / wanted));
  return Math.max(0, Math.min(fair, limit - held));
}

/**
 * What a consumer may send in its current window (ending at `endsAt`): what it has sent, and as much more as it wants
 * of what the others' caps leave (an entry about another window counts with its claim: that consumer sends no more
 * than its claim in this one until it renews). The caps of one window never add up to more than the window.
 */
export function decideCap(
  others: ReadonlyMap<string, ConsumerEntry>,
  demand: number,
  used: number,
  limit: number,
  endsAt: number,
  windowMs = 5000,
): number {
  let held = 0;
  for (const entry of others.values()) {
    const sameWindow =
      entry.windowEndsAt !== undefined && Math.abs(entry.windowEndsAt - endsAt) < windowMs / 2;
    held += sameWindow ? Math.max(entry.cap ?? entry.claim, entry.used ?? 0) : entry.claim;
  }
  return used + Math.max(0, Math.min(demand, limit - held - used));
}

/**
 * Keeps one pacer in the allocation while it spends the quota (see the file comment):
 * - joins on the first request after a pause, with the claim the others leave (often none: they give up their
 *   surplus at their next renewal, and the joiner takes it at its own, from the next window on);
 * - renews every `refreshMs` with its demand and its claim, and tells the pacer: less at once, more from the next
 *   window (`QuotaPacer.setClaim`), the largest window any consumer has seen, and when the others' window ends;
 * - leaves after `idleMs` with nothing to send.
 */
export class SharedQuota {
  private id: string | undefined;
  private idleSince: number | undefined;
  private lastRenewed = 0;
  private warned = false;
  private stopped = false;
  private readonly refreshMs: number;
  private readonly ttlMs: number;
  private readonly idleMs: number;
  private readonly clock: PacerClock;

  constructor(
    private readonly allocation: QuotaAllocation,
    private readonly pacer: QuotaPacer,
    private readonly options: SharedQuotaOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 5000;
    this.idleMs = options.idleMs ?? 5000;
    this.clock = options.clock ?? unrefClock;
  }

  /** Called before each request: (re)joins when the process starts spending the quota again. */
  touch(): void {
    if (this.id !== undefined || this.stopped) return;
    // A new id for each stay: a late `leave` of the last one cannot remove this one.
    this.id = randomUUID();
    this.idleSince = undefined;
    // Nothing until the allocation says what this one may send.
    this.pacer.setClaim(0, true);
    void this.tick(true);
  }

  /** Leaves (the process ends, or stops scanning). */
  async stop(): Promise<void> {
    this.stopped = true;
    const id = this.id;
    this.id = undefined;
    if (id !== undefined) await this.leave(id).catch(() => undefined);
  }

  /**
   * Gives up its claim. What it sent in the current window stays counted until that window ends (its entry expires
   * then): the others may not spend it again.
   */
  private async leave(id: string): Promise<void> {
    const endsAt = this.pacer.windowEndsAt();
    const used = this.pacer.sentThisWindow();
    const now = this.clock.now();
    if (endsAt === undefined || endsAt <= now || used === 0) return this.allocation.leave(id);
    await this.allocation.update(
      id,
      () => ({ until: endsAt + 1000, demand: 0, claim: 0, windowEndsAt: endsAt, used, cap: used }),
      now,
    );
  }

  private async tick(first = false): Promise<void> {
    const id = this.id;
    if (id === undefined || this.stopped) return;
    const now = this.clock.now();
    // A joiner wants at least the request that made it join (it waits for the quota right after this).
    const demand = first ? Math.max(1, this.pacer.demand()) : this.pacer.demand();
    if (demand > 0) this.idleSince = undefined;
    else this.idleSince ??= now;
    if (this.idleSince !== undefined && now - this.idleSince >= this.idleMs) {
      this.id = undefined;
      this.pacer.setClaim(0, true);
      await this.leave(id).catch((error: unknown) => this.warnOnce(error));
      return;
    }
    try {
      const { others, mine } = await this.allocation.update(
        id,
        (others) => {
          let limit = this.pacer.knownLimit();
          for (const entry of others.values())
            if (entry.limit !== undefined) limit = Math.max(limit ?? 0, entry.limit);
          const endsAt = this.pacer.windowEndsAt();
          const used = this.pacer.sentThisWindow();
          return {
            until: now + this.ttlMs,
            demand,
            claim: decideClaim(others, demand, limit),
            limit,
            windowEndsAt: endsAt,
            ...(endsAt !== undefined && endsAt > now && limit !== undefined
              ? { used, cap: decideCap(others, demand, used, limit, endsAt) }
              : {}),
          };
        },
        now,
      );
      if (this.id !== id) return;
      this.lastRenewed = now;
      if (mine.limit !== undefined) this.pacer.learnLimit(mine.limit);
      let othersHold = 0;
      let windowEndsAt: number | undefined;
      for (const entry of others.values()) {
        othersHold += entry.claim;
        if (entry.windowEndsAt !== undefined)
          windowEndsAt = Math.max(windowEndsAt ?? 0, entry.windowEndsAt);
      }
      if (windowEndsAt !== undefined) this.pacer.learnWindowEnd(windowEndsAt);
      // Joining when nobody holds any of the window: it is this one's at once.
      this.pacer.setClaim(mine.claim, first && othersHold === 0);
      if (mine.cap !== undefined && mine.windowEndsAt !== undefined)
        this.pacer.setWindowCap(mine.cap, mine.windowEndsAt);
    } catch (error) {
      this.warnOnce(error);
      // At the join, or long enough for its entry to expire: no agreement holds, the answers alone guide the pacer
      // (the scan goes on; a 429 is possible if another worker spends the window meanwhile).
      if (first || now - this.lastRenewed >= this.ttlMs - 2 * this.refreshMs)
        this.pacer.clearClaim();
    }
    if (this.id !== id || this.stopped) return;
    await this.clock.sleep(this.refreshMs);
    void this.tick();
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.options.warn?.(
      'the quota allocation could not be reached; the pacer goes by the answers alone',
      {
        error: error instanceof Error ? error.message : String(error),
      },
    );
  }
}

/** The wall clock, with sleeps that do not keep the process alive (a worker that ends leaves by expiry). */
const unrefClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise<void>((resolve) => {
      setTimeout(resolve, ms).unref();
    }),
};
