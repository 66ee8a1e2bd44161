// Sliding-window counts of accepted messages, the shape of the service's per-minute and per-hour sending limits.

export interface EmailRateLimit {
  /** Accepted messages per rolling minute; 0 turns the minute window off. */
  perMinute: number;
  /** Accepted messages per rolling hour; 0 turns the hour window off. */
  perHour: number;
}

/** The service's default limits for an e-mail resource. */
export const DEFAULT_RATE_LIMIT: EmailRateLimit = { perMinute: 30, perHour: 100 };

/**
 * The limits of a sender on an Azure-managed domain (<guid>.azurecomm.net): 5 a minute and 10 an hour, not raisable
 * (https://learn.microsoft.com/azure/communication-services/concepts/service-limits#rate-limits-for-email).
 */
export const AZURE_MANAGED_DOMAIN_RATE_LIMIT: EmailRateLimit = { perMinute: 5, perHour: 10 };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export class SlidingWindowLimiter {
  /** Acceptance times in ms, oldest first. */
  private readonly accepted: number[] = [];

  constructor(private readonly limit: EmailRateLimit) {}

  /** Whole seconds until one more message fits in every window, or 0 when it fits now. */
  retryAfterSeconds(now: number): number {
    this.prune(now);
    let waitMs = 0;
    for (const [max, windowMs] of [
      [this.limit.perMinute, MINUTE_MS],
      [this.limit.perHour, HOUR_MS],
    ] as const) {
      if (max <= 0) continue;
      const inWindow = this.accepted.filter((t) => t > now - windowMs);
      if (inWindow.length < max) continue;
      // The window admits a message again once enough of the oldest ones have aged out.
      const freedAt = (inWindow[inWindow.length - max] ?? now) + windowMs;
      waitMs = Math.max(waitMs, freedAt - now);
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  record(now: number): void {
    this.accepted.push(now);
  }

  private prune(now: number): void {
    while (this.accepted.length > 0 && (this.accepted[0] ?? now) <= now - HOUR_MS)
      this.accepted.shift();
  }
}
