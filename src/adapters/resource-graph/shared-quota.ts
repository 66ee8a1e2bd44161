// Processes that spend one identity's Resource Graph quota say so, so that each pacer takes only its share.
//
// The quota is per identity ("Guidance for throttled requests in Azure Resource Graph",
// https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests): every
// worker process or Functions instance scanning batches with the app's managed identity draws on the same window.
// The quota headers tell a pacer how much of the window is gone, but not who spends it, and never that nobody else
// will: another worker's requests that arrive after all of this pacer's own are in none of its answers. So the
// workers register while they spend (`QuotaConsumers`: a table row each, with an expiry) and each pacer divides the
// window by how many are registered.
import { randomUUID } from 'node:crypto';
import type { PacerClock, QuotaPacer } from './pacer.js';

/** What a consumer says of itself when it renews its row. */
export interface ConsumerBeat {
  /** It counts until then (ms since the epoch) unless it renews. */
  readonly until: number;
  /** The largest window (requests) it has seen; absent before its first answer. */
  readonly limit?: number | undefined;
  /** When it believes the current window ends (ms since the epoch); absent when it does not know. */
  readonly windowEndsAt?: number | undefined;
}

/** Who spends the quota now (itself included), the largest window any has seen, the latest window end any knows. */
export interface ConsumersNow {
  readonly count: number;
  readonly limit?: number | undefined;
  readonly windowEndsAt?: number | undefined;
}

/** Where the consumers of one identity's quota register (Table Storage in the app: TableQuotaConsumers). */
export interface QuotaConsumers {
  /** Renews consumer `id`'s row and reads everyone's as of `now` (ms since the epoch). */
  beat(id: string, beat: ConsumerBeat, now: number): Promise<ConsumersNow>;
  /** Consumer `id` no longer spends the quota. */
  leave(id: string): Promise<void>;
}

export interface SharedQuotaOptions {
  /** How often a spending consumer renews its row and reads the others' (default 1 s). */
  readonly refreshMs?: number;
  /** How long a row counts without renewal: a worker that died stops counting after this (default 15 s). */
  readonly ttlMs?: number;
  /**
   * A consumer with nothing to send for this long leaves (default 2 s): while it counts, the others take only their
   * share. Coming back costs it the wait for the others to hear of it, and one request at a time until an answer.
   */
  readonly idleMs?: number;
  /** Time and sleeping (virtual in tests); by default the wall clock, with timers that do not keep a process up. */
  readonly clock?: PacerClock;
  /** Told once when the registry cannot be reached (the share then stays as it was). */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
}

/** Slack after another consumer's estimated window end before a joining one sends (clocks, network). */
const JOIN_SLACK_MS = 100;

/**
 * Keeps one pacer registered while it spends the quota, and its share in step with the registry:
 * - joins on the first request after a pause: registers, and if others spend the quota, sends nothing until they
 *   have read the registry since (one `refreshMs`) and the window they are spending is over — they take their
 *   smaller share from the next window on, and this one does not knock on a spent window. Then the pacer probes
 *   one request at a time until an answer says where the window stands (`QuotaPacer.rejoin`);
 * - renews every `refreshMs`, and tells the pacer how many share the quota and the largest window any has seen
 *   (a worker whose requests always arrive after another's never sees a whole window in its own answers);
 * - leaves after `idleMs` with nothing to send.
 */
export class SharedQuota {
  private id: string | undefined;
  private idleSince: number | undefined;
  private warned = false;
  private stopped = false;
  private readonly refreshMs: number;
  private readonly ttlMs: number;
  private readonly idleMs: number;
  private readonly clock: PacerClock;

  constructor(
    private readonly consumers: QuotaConsumers,
    private readonly pacer: QuotaPacer,
    private readonly options: SharedQuotaOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 15_000;
    this.idleMs = options.idleMs ?? 2000;
    this.clock = options.clock ?? unrefClock;
  }

  /** Called before each request: (re)joins when the process starts spending the quota again. */
  touch(): void {
    if (this.id !== undefined || this.stopped) return;
    // A new id for each stay: a late `leave` of the last one cannot remove this one.
    this.id = randomUUID();
    this.idleSince = undefined;
    this.pacer.rejoin();
    // Nothing until the registry says who else spends (see the class comment).
    this.pacer.pauseUntil(Number.POSITIVE_INFINITY);
    void this.tick(true);
  }

  /** Leaves (the process ends, or stops scanning). */
  async stop(): Promise<void> {
    this.stopped = true;
    const id = this.id;
    this.id = undefined;
    this.pacer.pauseUntil(0);
    if (id !== undefined) await this.consumers.leave(id).catch(() => undefined);
  }

  private async tick(first = false): Promise<void> {
    const id = this.id;
    if (id === undefined || this.stopped) return;
    const now = this.clock.now();
    if (!this.pacer.idle()) this.idleSince = undefined;
    else this.idleSince ??= now;
    if (this.idleSince !== undefined && now - this.idleSince >= this.idleMs) {
      this.id = undefined;
      await this.consumers.leave(id).catch((error: unknown) => this.warnOnce(error));
      return;
    }
    try {
      const others = await this.consumers.beat(
        id,
        {
          until: now + this.ttlMs,
          limit: this.pacer.knownLimit(),
          windowEndsAt: first ? undefined : this.pacer.windowEndsAt(),
        },
        now,
      );
      if (this.id !== id) return;
      if (others.limit !== undefined) this.pacer.learnLimit(others.limit);
      this.pacer.setRegistered(others.count);
      if (first) {
        const after = this.clock.now();
        this.pacer.pauseUntil(
          others.count > 1
            ? Math.max(
                after + this.refreshMs + JOIN_SLACK_MS,
                (others.windowEndsAt ?? 0) + JOIN_SLACK_MS,
              )
            : 0,
        );
      }
    } catch (error) {
      this.warnOnce(error);
      if (first) {
        // No registry: the answers alone tell the pacer of the others.
        this.pacer.setRegistered(1);
        this.pacer.pauseUntil(0);
      }
    }
    if (this.id !== id || this.stopped) return;
    await this.clock.sleep(this.refreshMs);
    void this.tick();
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.options.warn?.('the quota registry could not be reached; the pacer keeps its share', {
      error: error instanceof Error ? error.message : String(error),
    });
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
