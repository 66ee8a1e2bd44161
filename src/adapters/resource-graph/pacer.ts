// Paces Resource Graph requests by the quota headers so that a healthy scan never receives a 429.

export interface PacerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Parses `x-ms-user-quota-resets-after` (`hh:mm:ss`, optionally `.fffffff` as .NET TimeSpan prints it,
 * optionally prefixed by days `d.hh:mm:ss`) into milliseconds; undefined when malformed.
 */
export function parseResetsAfter(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) return undefined;
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) *
      1000 +
    (fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0);
  return ms;
}

/** `Retry-After`: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface QuotaObservation {
  readonly status: number;
  readonly remaining?: string | null | undefined;
  readonly resetsAfter?: string | null | undefined;
  readonly retryAfter?: string | null | undefined;
}

/** The most slack a 429 grows the margin to, and the least it grows it to. */
const MAX_MARGIN_MS = 1000;
const MIN_GROWN_MARGIN_MS = 50;
/** What a 429 adds to the slack at least, and above the error it reveals. */
const MARGIN_STEP_MS = 10;

/** One request the pacer let go: when it was sent, in what order. */
export interface PacerTicket {
  readonly seq: number;
  readonly sentAt: number;
}

interface Waiter {
  readonly priority: number;
  readonly order: number;
  readonly grant: (ticket: PacerTicket) => void;
  readonly fail: (reason: unknown) => void;
}

/**
 * Keeps the caller's view of the quota — requests left in the window and when it resets — for every chain of
 * requests sharing one identity, and lets requests go when the quota allows, the chain with the most pages left
 * first (so the longest chain does not finish alone after the others).
 *
 * The service charges a request when it arrives and reports the window as of that moment
 * (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`, "Guidance for throttled requests"): the window's end
 * is taken from when the request was sent plus `resets-after` (the latest such estimate of the window wins), not
 * from when the answer came back — a page that takes a second to answer would otherwise cost a second a window.
 * What is left is the lowest `remaining` any answer reported for the window (the freshest: it only goes down), less
 * every request of ours still in flight (it may have arrived after that answer's request).
 *
 * The quota is per identity, and other processes may spend it too (worker processes, Functions instances, another
 * tool with the same identity). Two ways to share a window:
 * - agreed (queue workers, see SharedQuota): each sends at most its claim a window (`setClaim`), and the claims of
 *   all never add up to more than a window;
 * - from the answers alone: `remaining` falling faster than this pacer's own requests explain reveals another
 *   consumer (at least 2 share it), a 429 one more (once a window), a window with no sign of another one fewer.
 *   The pacer then spends its share, `limit / sharers` (15 among 2: 7 each), and the requests told they leave the
 *   window's last `spare` requests earn one each (every answer reports a different `remaining`), so the shares add
 *   up to the whole window. Answers alone cannot tell a pacer that it is alone: another's requests that arrive after
 *   all of its own are in none of its answers — hence the agreement for workers that run together on purpose.
 * Either way, a pacer that finds more of the window gone than the others may take sits out the rest of it.
 */
export class QuotaPacer {
  private seq = 0;
  private order = 0;
  private readonly inFlight = new Set<number>();
  /** The current window's estimated end (0: unknown), and whether only assumed (see `pump`). */
  private resetAt = 0;
  private resetAssumed = false;
  /** The end the last window was believed to have when it was rolled over (to measure a 429's misjudgement). */
  private rolledEnd: number | undefined;
  /** Requests sent since the window was last believed fresh, and when the first of them went. */
  private sentInWindow = 0;
  private firstSentAt: number | undefined;
  /** Requests of the last window still unanswered when it was believed over (they may be charged to this one). */
  private straysAtRoll = 0;
  /** The lowest `remaining` an answer reported for the current window (undefined: no answer yet). */
  private lowest: number | undefined;
  /** What the newest answer left for everyone (lowest less ours in flight), and what this pacer sent since. */
  private snapshot: { available: number; sentSince: number } | undefined;
  /** Whether the current window showed another consumer, or a 429. */
  private sharedWindow = false;
  private throttledWindow = false;
  /** Requests of the window's spare this pacer earned (see `observe`). */
  private earned = 0;
  /** Consumers the answers revealed (itself included). */
  private detected = 1;
  /** Requests a window agreed with the other consumers in the allocation, now and from the next window (see `setClaim`). */
  private claimNow: number | undefined;
  private claimNext: number | undefined;
  /** What this pacer may send in the current window, agreed for it alone (see `setWindowCap`). */
  private windowCap: { cap: number; endsAt: number } | undefined;
  /** The most sharers believed since the window began: a share grows only with the next window (see `left`). */
  private windowSharers = 1;
  /** Nothing more in this window: the others spend it as if this pacer were not there (see `observe`). */
  private sitOut = false;
  /** The largest window seen (remaining + 1 of any answer): what a fresh window allows. */
  private limit: number | undefined;
  private windowMs: number | undefined;
  private readonly waiters: Waiter[] = [];
  private readonly watched = new WeakMap<AbortSignal, Set<Waiter>>();
  /** When the armed timer wakes the pump (undefined: none armed). */
  private armedFor: number | undefined;
  private blockedSince: number | undefined;
  /** Wall time during which some request waited for the quota. */
  waitedMs = 0;
  throttled = 0;

  /** Slack after the estimated reset, for the time a request takes to reach the service (see `observe`). */
  private marginMs: number;

  constructor(
    private readonly clock: PacerClock = realClock,
    /**
     * The slack to start with: 50 ms, a request's travel to the service measured under load on the bench machine
     * (26–56 ms, the 12,000-subscription tenant's timeline), for 1 % of a 5-s window; a 429 sets it to what was
     * missing.
     */
    marginMs = 50,
  ) {
    this.marginMs = marginMs;
  }

  /** The slack after an estimated reset now: it grows after a window that met 429s, up to MAX_MARGIN_MS. */
  margin(): number {
    return this.marginMs;
  }

  /**
   * The requests a window this pacer may send, as agreed with the other consumers in the allocation (SharedQuota):
   * less takes effect at once (the others may take the difference from the next window on), more only from the
   * next window (until then, whoever gave it up may still spend it) unless `atOnce` (nobody else holds any).
   */
  setClaim(claim: number, atOnce = false): void {
    const n = Math.max(0, Math.floor(claim));
    this.claimNext = n;
    if (atOnce || this.claimNow === undefined || n <= this.claimNow) this.claimNow = n;
    this.pump();
  }

  /**
   * What this pacer may send in the window that ends at `endsAt` (its estimate), agreed with the others: more than its
   * claim when they leave part of this window unused, or what it has sent when it wants nothing more (the rest is
   * then theirs). Forgotten when the window ends.
   */
  setWindowCap(cap: number, endsAt: number): void {
    this.windowCap = { cap: Math.max(0, Math.floor(cap)), endsAt };
    this.pump();
  }

  /** Requests sent in the current window (as this pacer counts its windows). */
  sentThisWindow(): number {
    return this.sentInWindow;
  }

  /** No agreement with other consumers (the allocation is out of reach): the answers alone say who else spends. */
  clearClaim(): void {
    this.claimNow = undefined;
    this.claimNext = undefined;
    this.pump();
  }

  /** The requests waiting for the quota and in flight: what this pacer would send now if it could. */
  demand(): number {
    return this.waiters.length + this.inFlight.size;
  }

  /** Another consumer believes the current window ends then (this pacer's clock): a joiner's first window. */
  learnWindowEnd(at: number): void {
    if ((this.resetAt === 0 || this.resetAssumed) && at > this.clock.now()) {
      this.resetAt = at;
      this.resetAssumed = false;
    }
    this.pump();
  }

  /** The largest window seen (undefined before any answer). */
  knownLimit(): number | undefined {
    return this.limit;
  }

  /** When the current window is believed to end (this pacer's clock), if it is known. */
  windowEndsAt(): number | undefined {
    if (this.resetAt !== 0) return this.resetAt;
    // No answer yet about the window this pacer's requests opened: a window from the first of them.
    if (this.firstSentAt !== undefined && this.windowMs !== undefined)
      return this.firstSentAt + this.windowMs + this.marginMs;
    return undefined;
  }

  /** A window this large was seen by another consumer of the same quota. */
  learnLimit(limit: number): void {
    if (Number.isFinite(limit) && limit >= 1)
      this.limit = Math.max(this.limit ?? 0, Math.floor(limit));
    this.pump();
  }

  /** Waits until the quota allows one more request; higher `priority` goes first (ties: first come). */
  acquire(signal?: AbortSignal, priority = Number.POSITIVE_INFINITY): Promise<PacerTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<PacerTicket>((resolve, reject) => {
      const watching = signal ? this.watch(signal) : undefined;
      const waiter: Waiter = {
        priority,
        order: this.order++,
        grant: (ticket) => {
          watching?.delete(waiter);
          resolve(ticket);
        },
        fail: reject,
      };
      watching?.add(waiter);
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** One abort listener per signal, however many requests wait on it (a scan's chains share its signal). */
  private watch(signal: AbortSignal): Set<Waiter> {
    let set = this.watched.get(signal);
    if (!set) {
      const waiting = new Set<Waiter>();
      set = waiting;
      this.watched.set(signal, waiting);
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of waiting) {
            const at = this.waiters.indexOf(waiter);
            if (at >= 0) this.waiters.splice(at, 1);
            waiter.fail(signal.reason);
          }
          waiting.clear();
          this.pump();
        },
        { once: true },
      );
    }
    return set;
  }

  /** Call once per response (every attempt), whether it succeeded or not. Without a ticket: the oldest in flight. */
  observe(observation: QuotaObservation, ticket?: PacerTicket): void {
    const seq = ticket?.seq ?? this.oldestInFlight();
    const sentAt = ticket?.sentAt ?? this.clock.now();
    if (seq !== undefined) this.inFlight.delete(seq);
    const now = this.clock.now();
    this.roll(now);
    if (observation.status === 429) {
      this.throttled++;
      if (!this.throttledWindow) {
        // The window was estimated to end earlier than it did: requests take longer to reach the service than the
        // slack allowed (a loaded host, a long network path). Once a window (a burst of 429s is one misjudgement):
        // the slack the 429 shows was missing — its window ends `resets-after` from its arrival, at the latest
        // now — or, when it does not say, twice the slack; within reason.
        const believed = this.resetAt !== 0 && !this.resetAssumed ? this.resetAt : this.rolledEnd;
        const resetsAfter = parseResetsAfter(observation.resetsAfter);
        const needed =
          believed !== undefined && resetsAfter !== undefined
            ? now + resetsAfter - believed + MARGIN_STEP_MS
            : 2 * this.marginMs;
        this.marginMs = Math.min(
          MAX_MARGIN_MS,
          Math.max(this.marginMs + MARGIN_STEP_MS, needed, MIN_GROWN_MARGIN_MS),
        );
        // Or more consumers spend the quota than this pacer believed: one more sharer.
        this.detected = Math.min(this.detected + 1, this.limit ?? 2);
      }
      this.throttledWindow = true;
      const retryMs =
        parseRetryAfter(observation.retryAfter, now) ??
        parseResetsAfter(observation.resetsAfter) ??
        1000;
      this.resetAt = Math.max(this.resetAssumed ? 0 : this.resetAt, now + retryMs);
      this.resetAssumed = false;
      this.lowest = 0;
      this.snapshot = { available: 0, sentSince: 0 };
      this.pump();
      return;
    }
    const remaining = observation.remaining == null ? NaN : Number(observation.remaining);
    const resetsAfter = parseResetsAfter(observation.resetsAfter);
    if (Number.isFinite(remaining) && resetsAfter !== undefined && seq !== undefined) {
      this.limit = Math.max(this.limit ?? 0, remaining + 1);
      this.windowMs = Math.max(this.windowMs ?? 0, resetsAfter);
      const end = sentAt + resetsAfter;
      // An answer about a window that is already over says nothing about the current one.
      if (end > now) {
        this.resetAt = this.resetAssumed ? end : Math.max(this.resetAt, end);
        this.resetAssumed = false;
        // Spent by the time this request arrived, and the most of it that could be ours (every request sent in
        // the window so far, and those of the last window still unanswered when it ended): the rest is another
        // consumer's. Requests race each other to the service, so which of ours arrived first is unknown.
        const foreign = this.limit - remaining - (this.sentInWindow + this.straysAtRoll);
        if (foreign > 0) {
          this.sharedWindow = true;
          this.detected = Math.max(this.detected, 2);
          // More than the others' shares (and the spare) is gone already: they spend as if this pacer were not
          // there (they have not heard of it yet, or share no allocation). Whatever is left, they may take: this
          // pacer sends nothing more in this window.
          const share =
            this.windowCap?.cap ??
            this.claimNow ??
            Math.floor(this.limit / Math.max(this.windowSharers, this.detected));
          if (foreign > this.limit - share) this.sitOut = true;
        }
        // The shares leave `spare` requests of a window (15 among 2: 7 each, 1 spare). Once the shares are spent,
        // the requests that leave 1..spare are each told so alone (every answer reports a different `remaining`):
        // each of them earns its pacer one request more, and the window is used to the last request.
        const sharers = Math.max(this.windowSharers, this.detected);
        const spare = this.limit - sharers * Math.floor(this.limit / sharers);
        if (sharers > 1 && remaining >= 1 && remaining <= spare) this.earned++;
        this.lowest = Math.min(this.lowest ?? remaining, remaining);
        this.snapshot = { available: this.lowest - this.inFlight.size, sentSince: 0 };
      }
    }
    this.pump();
  }

  /** A request that ended without a response (network error, timeout). */
  abandon(ticket?: PacerTicket): void {
    const seq = ticket?.seq ?? this.oldestInFlight();
    if (seq !== undefined) this.inFlight.delete(seq);
    this.pump();
  }

  private oldestInFlight(): number | undefined {
    let oldest: number | undefined;
    for (const s of this.inFlight) if (oldest === undefined || s < oldest) oldest = s;
    return oldest;
  }

  /** When the window is believed over: the quota is full again, and the window's signs update the sharers. */
  private roll(now: number): void {
    if (this.resetAt === 0 || now < this.resetAt + this.marginMs) return;
    if (this.sharedWindow && this.detected > 2) {
      // Shared, and a whole share of it was still there when this pacer last heard: fewer share it than believed
      // (another consumer left, or a 429 of a loaded moment added one too many).
      const share = Math.floor((this.limit ?? 1) / this.detected);
      if (this.lowest !== undefined && this.lowest >= share) this.detected--;
    } else if (!this.sharedWindow && !this.throttledWindow)
      this.detected = Math.max(1, this.detected - 1);
    if (!this.resetAssumed) this.rolledEnd = this.resetAt;
    this.resetAt = 0;
    this.resetAssumed = false;
    this.lowest = undefined;
    this.snapshot = undefined;
    this.sentInWindow = 0;
    this.firstSentAt = undefined;
    this.straysAtRoll = this.inFlight.size;
    this.sharedWindow = false;
    this.throttledWindow = false;
    this.earned = 0;
    this.sitOut = false;
    this.windowSharers = this.detected;
    if (this.claimNext !== undefined) this.claimNow = this.claimNext;
    this.windowCap = undefined;
  }

  private left(now: number): number {
    this.roll(now);
    if (this.sitOut) return 0;
    // Before any answer told the quota, one request at a time: the first answer says how large a window is.
    if (this.limit === undefined)
      return this.throttledWindow || this.claimNow === 0 ? 0 : 1 - this.inFlight.size;
    const window = this.limit - this.sentInWindow;
    let share: number;
    if (this.claimNow !== undefined) {
      const cap = this.windowCap;
      // A cap agreed for this very window (the estimates of its end agree within half a window) replaces the claim.
      const agreed =
        cap !== undefined &&
        this.resetAt !== 0 &&
        Math.abs(cap.endsAt - this.resetAt) < (this.windowMs ?? 5000) / 2;
      share = (agreed ? cap.cap : this.claimNow) - this.sentInWindow;
    } else {
      // Fewer sharers (one left) take effect with the next window: what this one still holds, the answers so far
      // do not say, and the one that left may have spent its share already.
      const sharers = (this.windowSharers = Math.max(this.windowSharers, this.detected));
      // This pacer's share of a window (at least one request, or a pacer among too many would never send).
      share = Math.max(1, Math.floor(this.limit / sharers)) + this.earned - this.sentInWindow;
    }
    // A window no answer has spoken of yet: the share, at once.
    if (!this.snapshot) return Math.min(window, share);
    // Then no more than the newest answer left. Not more than the share either, even when the others seem to leave
    // some: the answer is as old as its request's arrival (a second for a full page), their requests in flight are
    // not in it, and what they leave now they may still spend.
    const { available, sentSince } = this.snapshot;
    return Math.min(window, share, available - sentSince);
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.waiters.length > 0 && this.left(now) > 0) {
      let best = 0;
      for (let i = 1; i < this.waiters.length; i++) {
        const w = this.waiters[i] as Waiter;
        const b = this.waiters[best] as Waiter;
        if (w.priority > b.priority || (w.priority === b.priority && w.order < b.order)) best = i;
      }
      const [waiter] = this.waiters.splice(best, 1) as [Waiter];
      const ticket: PacerTicket = { seq: ++this.seq, sentAt: now };
      this.inFlight.add(ticket.seq);
      // A window end only assumed (nothing was in flight to tell it) is dropped: this request's answer will tell.
      if (this.resetAssumed) {
        this.resetAt = 0;
        this.resetAssumed = false;
      }
      this.sentInWindow++;
      this.firstSentAt ??= now;
      if (this.snapshot) this.snapshot.sentSince++;
      waiter.grant(ticket);
    }
    if (this.waiters.length === 0) {
      if (this.blockedSince !== undefined) this.waitedMs += now - this.blockedSince;
      this.blockedSince = undefined;
      return;
    }
    this.blockedSince ??= now;
    // Spent, and no answer will say when the window ends: assume a whole window from now.
    if (this.resetAt === 0 && this.inFlight.size === 0) {
      this.resetAt = now + (this.windowMs ?? 1000);
      this.resetAssumed = true;
    }
    const wakeAt = this.resetAt === 0 ? undefined : this.resetAt + this.marginMs;
    // One timer at a time, unless an earlier wake is needed (an older, later one then only pumps once more).
    if (wakeAt !== undefined && (this.armedFor === undefined || wakeAt < this.armedFor)) {
      const armedFor = wakeAt;
      this.armedFor = armedFor;
      void this.clock.sleep(Math.max(0, wakeAt - now)).then(
        () => {
          if (this.armedFor === armedFor) this.armedFor = undefined;
          this.pump();
        },
        () => {
          if (this.armedFor === armedFor) this.armedFor = undefined;
        },
      );
    }
  }
}
