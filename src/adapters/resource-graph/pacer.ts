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

/**
 * Keeps the caller's view of the quota: requests left in the window and when it resets. `acquire()`
 * waits for the reset when the window is spent, and counts requests in flight so that concurrent
 * callers never overshoot what the last response allowed.
 */
export class QuotaPacer {
  private remaining: number | undefined;
  private resetAt = 0;
  private inFlight = 0;
  waitedMs = 0;
  throttled = 0;

  constructor(
    private readonly clock: PacerClock = realClock,
    /** Slack after the announced reset, for clock skew between us and the service. */
    private readonly marginMs = 15,
  ) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (this.resetAt !== 0 && now >= this.resetAt) {
        // The window announced by the last response is over: the quota is full again.
        this.remaining = undefined;
        this.resetAt = 0;
      }
      const left = this.remaining === undefined ? Infinity : this.remaining - this.inFlight;
      if (left > 0) {
        this.inFlight++;
        return;
      }
      // Spent: wait for the reset (or, with no reset known yet, for a response in flight to tell it).
      const wait = (this.resetAt === 0 ? 0 : this.resetAt - now) + this.marginMs;
      this.waitedMs += wait;
      await this.clock.sleep(wait, signal);
    }
  }

  /** Call once per response (every attempt), whether it succeeded or not. */
  observe(observation: QuotaObservation): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const now = this.clock.now();
    if (observation.status === 429) {
      this.throttled++;
      const retryMs =
        parseRetryAfter(observation.retryAfter, now) ??
        parseResetsAfter(observation.resetsAfter) ??
        1000;
      this.remaining = 0;
      this.resetAt = Math.max(this.resetAt, now + retryMs);
      return;
    }
    const remaining = observation.remaining == null ? NaN : Number(observation.remaining);
    const resetsAfter = parseResetsAfter(observation.resetsAfter);
    if (Number.isFinite(remaining) && resetsAfter !== undefined) {
      this.remaining = remaining;
      this.resetAt = now + resetsAfter;
    }
  }

  /** A request that ended without a response (network error, timeout). */
  abandon(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
