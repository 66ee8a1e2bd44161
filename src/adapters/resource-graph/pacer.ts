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
 * What is left is the newest answer's `remaining`, less every request sent after it and every older one still in
 * flight when it came (it may have arrived after it). A window with no answer yet allows the largest window seen.
 */
export class QuotaPacer {
  private seq = 0;
  private order = 0;
  private readonly inFlight = new Set<number>();
  /** The newest answer about the current window. */
  private info: { seq: number; remaining: number; olderInFlight: number } | undefined;
  /** The current window's estimated end (0: unknown). */
  private resetAt = 0;
  /** Requests sent since the window was last believed fresh. */
  private sentInWindow = 0;
  /** The largest window seen (remaining + 1 of any answer): what a fresh window allows. */
  private limit: number | undefined;
  private windowMs: number | undefined;
  private readonly waiters: Waiter[] = [];
  private readonly watched = new WeakMap<AbortSignal, Set<Waiter>>();
  private timerArmed = false;
  private blockedSince: number | undefined;
  /** Wall time during which some request waited for the quota. */
  waitedMs = 0;
  throttled = 0;

  /** Slack after the estimated reset, for the time a request takes to reach the service (see `observe`). */
  private marginMs: number;

  constructor(
    private readonly clock: PacerClock = realClock,
    /** The slack to start with. */
    marginMs = 25,
  ) {
    this.marginMs = marginMs;
  }

  /** The slack after an estimated reset now: it doubles after each 429, up to MAX_MARGIN_MS. */
  margin(): number {
    return this.marginMs;
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
    if (observation.status === 429) {
      this.throttled++;
      // The window was estimated to end earlier than it did: requests take longer to reach the service than the
      // slack allowed (a loaded host, a long network path). Twice the slack from now on, within reason.
      this.marginMs = Math.min(MAX_MARGIN_MS, Math.max(2 * this.marginMs, MIN_GROWN_MARGIN_MS));
      const retryMs =
        parseRetryAfter(observation.retryAfter, now) ??
        parseResetsAfter(observation.resetsAfter) ??
        1000;
      this.resetAt = Math.max(this.resetAt, now + retryMs);
      this.info = { seq: this.seq, remaining: 0, olderInFlight: 0 };
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
        this.resetAt = Math.max(this.resetAt, end);
        if (!this.info || seq > this.info.seq) {
          let older = 0;
          for (const s of this.inFlight) if (s < seq) older++;
          this.info = { seq, remaining, olderInFlight: older };
        }
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

  private left(now: number): number {
    if (this.resetAt !== 0 && now >= this.resetAt + this.marginMs) {
      // The window is over: the quota is full again.
      this.resetAt = 0;
      this.info = undefined;
      this.sentInWindow = 0;
    }
    // Before any answer told the quota, one request at a time: the first answer says how large a window is.
    const fresh =
      this.limit === undefined ? 1 - this.inFlight.size : this.limit - this.sentInWindow;
    if (!this.info) return fresh;
    const { seq, remaining, olderInFlight } = this.info;
    return Math.min(fresh, remaining - olderInFlight - (this.seq - seq));
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
      this.sentInWindow++;
      waiter.grant(ticket);
    }
    if (this.waiters.length === 0) {
      if (this.blockedSince !== undefined) this.waitedMs += now - this.blockedSince;
      this.blockedSince = undefined;
      return;
    }
    this.blockedSince ??= now;
    // Spent, and no answer will say when the window ends: assume a whole window from now.
    if (this.resetAt === 0 && this.inFlight.size === 0)
      this.resetAt = now + (this.windowMs ?? 1000);
    if (this.resetAt !== 0 && !this.timerArmed) {
      this.timerArmed = true;
      const wait = Math.max(0, this.resetAt + this.marginMs - now);
      void this.clock.sleep(wait).then(
        () => {
          this.timerArmed = false;
          this.pump();
        },
        () => {
          this.timerArmed = false;
        },
      );
    }
  }
}
