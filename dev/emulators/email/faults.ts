// Fault rules that make the e-mail emulator throttle, fail or drop chosen sends, so callers' error paths can be tested.

export interface EmailFaultRule {
  /** Both conditions must hold when given; no `when` matches every send. */
  when?: {
    /** Matches when any to, cc or bcc address equals this (case-insensitive). */
    recipient?: string;
    /** Matches once at least this many messages have been accepted. */
    afterMessages?: number;
  };
  respond: {
    /** HTTP status to answer with, typically 429, 500 or 503; ignored when `failOperation` is set. */
    status: number;
    /** Sent as `Retry-After` with the error. */
    retryAfterSeconds?: number;
    /** Accept with 202 but let the operation end `Failed`; no .eml is written. */
    failOperation?: boolean;
  };
  /** How many sends the rule affects before it retires; unlimited when absent. */
  times?: number;
}

export interface EmailFaults {
  rules?: EmailFaultRule[];
}

export type EmailFaultResponse = EmailFaultRule['respond'];

export class FaultInjector {
  private rules: { rule: EmailFaultRule; remaining: number }[] = [];

  constructor(faults: EmailFaults | undefined) {
    this.set(faults);
  }

  /** Replaces all rules; counts of `times` start again. */
  set(faults: EmailFaults | undefined): void {
    this.rules = (faults?.rules ?? []).map((rule) => ({
      rule,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** The response of the first live rule matching this send, consuming one of its `times`. */
  match(recipients: readonly string[], acceptedSoFar: number): EmailFaultResponse | undefined {
    const lower = recipients.map((r) => r.toLowerCase());
    for (const entry of this.rules) {
      if (entry.remaining <= 0) continue;
      const { recipient, afterMessages } = entry.rule.when ?? {};
      if (recipient !== undefined && !lower.includes(recipient.toLowerCase())) continue;
      if (afterMessages !== undefined && acceptedSoFar < afterMessages) continue;
      entry.remaining -= 1;
      return entry.rule.respond;
    }
    return undefined;
  }
}
