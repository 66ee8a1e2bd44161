// Resource Graph's per-user request quota: fixed windows and the headers that report them.

export interface QuotaSettings {
  readonly requests: number;
  readonly windowMs: number;
}

export interface QuotaState {
  /** Requests left in the current window (after this request was charged, if it was). */
  readonly remaining: number;
  /** Milliseconds until the current window ends. */
  readonly resetsAfterMs: number;
}

/**
 * Fixed windows: a window opens at the first request after the previous one closed (not on a
 * wall-clock grid), which is how the service's `x-ms-user-quota-resets-after` behaves.
 */
export class FixedWindowQuota {
  private windowStart: number | undefined;
  private used = 0;

  constructor(private readonly settings: QuotaSettings) {
    if (!(settings.requests >= 1) || !(settings.windowMs >= 1)) {
      throw new Error(`bad quota ${settings.requests}/${settings.windowMs}ms`);
    }
  }

  private roll(now: number): void {
    if (this.windowStart === undefined || now >= this.windowStart + this.settings.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
  }

  /** Whether a request arriving now is over quota (opens a new window when the last one closed). */
  exhausted(now: number): boolean {
    this.roll(now);
    return this.used >= this.settings.requests;
  }

  charge(now: number): void {
    this.roll(now);
    this.used++;
  }

  state(now: number): QuotaState {
    this.roll(now);
    const start = this.windowStart ?? now;
    return {
      remaining: Math.max(0, this.settings.requests - this.used),
      resetsAfterMs: Math.max(0, start + this.settings.windowMs - now),
    };
  }

  reset(): void {
    this.windowStart = undefined;
    this.used = 0;
  }
}

/** A .NET TimeSpan in the constant ("c") format: `hh:mm:ss`, plus `.fffffff` when there is a fraction. */
export function formatTimeSpan(ms: number): string {
  const ticks = Math.max(0, Math.round(ms * 10_000)); // 1 tick = 100 ns
  const totalSeconds = Math.floor(ticks / 10_000_000);
  const fraction = ticks % 10_000_000;
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  const base = `${days > 0 ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}`;
  return fraction > 0 ? `${base}.${String(fraction).padStart(7, '0')}` : base;
}

/** Parses `15/5s`, `3/1000ms`, `100/1m` into quota settings. */
export function parseQuota(text: string): QuotaSettings {
  const match = /^(\d+)\/(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`bad quota "${text}": expected REQUESTS/WINDOW, e.g. 15/5s`);
  const unit = match[3] ?? 's';
  const scale = unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000;
  return { requests: Number(match[1]), windowMs: Number(match[2]) * scale };
}
