// Fault injection for the Resource Graph emulator: which request gets which injected answer.
import { mulberry32 } from '../../tenants/random.js';

export interface FaultRule {
  when?: {
    /** Request scope lists this subscription (or, for tenant/MG scope, the page holds a row of it). */
    subscription?: string;
    /** 0-based page index within one query's paging (0 = request without skipToken). */
    page?: number;
    /** Case-insensitive substring of the KQL. */
    queryContains?: string;
    /** Only once the emulator has served this many requests in total. */
    afterRequests?: number;
  };
  respond: {
    status: number;
    retryAfterSeconds?: number;
    /** Never answer: the socket stays open until the client gives up or the emulator closes. */
    hang?: boolean;
    delayMs?: number;
    code?: string;
    /** With status 200: the page comes back flagged `resultTruncated: "true"`, without a skip token. */
    truncated?: boolean;
  };
  /** How many times this rule fires (default: unlimited). */
  times?: number;
}

export interface FaultOptions {
  /** 0..1: the share of requests (not matched by a rule) answered with 500. */
  errorRate?: number;
  /** Added to every answer. */
  latencyMs?: number;
  /** The next N requests get 429. */
  throttleStorm?: number;
  seed?: number;
  rules?: FaultRule[];
  /** 403 when listed explicitly; silently excluded from tenant and management-group scope. */
  forbiddenSubscriptions?: string[];
}

/** What the matcher needs to know about one request. */
export interface FaultContext {
  /** Requests the emulator received before this one. */
  readonly requestsBefore: number;
  readonly page: number;
  readonly query: string;
  /** Lower-case ids the request listed explicitly, or undefined for tenant/MG scope. */
  readonly listedSubscriptions: ReadonlySet<string> | undefined;
  /** Lower-case subscription ids of the rows on the page (tenant/MG scope matching). */
  readonly pageSubscriptions: () => ReadonlySet<string>;
}

export type FaultDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'rule'; readonly index: number; readonly respond: FaultRule['respond'] }
  | { readonly kind: 'random-error' };

/** The mutable side of a FaultOptions value: rule budgets, the storm counter, the seeded PRNG. */
export class FaultState {
  private fired: number[];
  private stormLeft: number;
  private random: () => number;
  readonly forbidden: ReadonlySet<string>;

  constructor(readonly options: FaultOptions) {
    this.fired = (options.rules ?? []).map(() => 0);
    this.stormLeft = options.throttleStorm ?? 0;
    this.random = mulberry32(options.seed ?? 1);
    this.forbidden = new Set((options.forbiddenSubscriptions ?? []).map((s) => s.toLowerCase()));
  }

  get latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  /** Consumes one request of a throttle storm; true when this request must get 429. */
  takeStorm(): boolean {
    if (this.stormLeft <= 0) return false;
    this.stormLeft--;
    return true;
  }

  decide(context: FaultContext): FaultDecision {
    const rules = this.options.rules ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as FaultRule;
      if (rule.times !== undefined && (this.fired[i] ?? 0) >= rule.times) continue;
      if (!matches(rule, context)) continue;
      this.fired[i] = (this.fired[i] ?? 0) + 1;
      return { kind: 'rule', index: i, respond: rule.respond };
    }
    const rate = this.options.errorRate ?? 0;
    // Draw only when a rate is set, so adding a rule does not shift the random sequence.
    if (rate > 0 && this.random() < rate) return { kind: 'random-error' };
    return { kind: 'none' };
  }
}

function matches(rule: FaultRule, c: FaultContext): boolean {
  const when = rule.when;
  if (!when) return true;
  if (when.afterRequests !== undefined && c.requestsBefore < when.afterRequests) return false;
  if (when.page !== undefined && c.page !== when.page) return false;
  if (
    when.queryContains !== undefined &&
    !c.query.toLowerCase().includes(when.queryContains.toLowerCase())
  ) {
    return false;
  }
  if (when.subscription !== undefined) {
    const wanted = when.subscription.toLowerCase();
    const listed = c.listedSubscriptions;
    if (listed ? !listed.has(wanted) : !c.pageSubscriptions().has(wanted)) return false;
  }
  return true;
}

/** Checks untrusted JSON (the admin endpoint) against FaultOptions; throws a message naming the field. */
export function parseFaultOptions(value: unknown): FaultOptions {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const num = (
    v: unknown,
    field: string,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new Error(`${field} must be a number in [${min}, ${max}]`);
    }
    return v;
  };
  if (!isObject(value)) throw new Error('fault options must be a JSON object');
  const rulesIn = value.rules;
  if (rulesIn !== undefined && !Array.isArray(rulesIn)) throw new Error('rules must be an array');
  const rules = (rulesIn ?? []).map((r: unknown, i: number): FaultRule => {
    if (!isObject(r) || !isObject(r.respond)) throw new Error(`rules[${i}].respond is required`);
    const when = r.when;
    if (when !== undefined && !isObject(when))
      throw new Error(`rules[${i}].when must be an object`);
    const str = (v: unknown, field: string): string | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new Error(`${field} must be a string`);
      return v;
    };
    const respond = r.respond;
    const status = num(respond.status, `rules[${i}].respond.status`, 100, 599);
    if (status === undefined) throw new Error(`rules[${i}].respond.status is required`);
    return {
      ...(when
        ? {
            when: {
              subscription: str(when.subscription, `rules[${i}].when.subscription`),
              page: num(when.page, `rules[${i}].when.page`, 0),
              queryContains: str(when.queryContains, `rules[${i}].when.queryContains`),
              afterRequests: num(when.afterRequests, `rules[${i}].when.afterRequests`, 0),
            },
          }
        : {}),
      respond: {
        status,
        retryAfterSeconds: num(
          respond.retryAfterSeconds,
          `rules[${i}].respond.retryAfterSeconds`,
          0,
        ),
        hang: respond.hang === true,
        truncated: respond.truncated === true,
        delayMs: num(respond.delayMs, `rules[${i}].respond.delayMs`, 0),
        code: str(respond.code, `rules[${i}].respond.code`),
      },
      times: num(r.times, `rules[${i}].times`, 0),
    };
  });
  const forbidden = value.forbiddenSubscriptions;
  if (
    forbidden !== undefined &&
    (!Array.isArray(forbidden) || !forbidden.every((s) => typeof s === 'string'))
  ) {
    throw new Error('forbiddenSubscriptions must be an array of strings');
  }
  return {
    errorRate: num(value.errorRate, 'errorRate', 0, 1),
    latencyMs: num(value.latencyMs, 'latencyMs', 0),
    throttleStorm: num(value.throttleStorm, 'throttleStorm', 0),
    seed: num(value.seed, 'seed', Number.MIN_SAFE_INTEGER),
    rules,
    forbiddenSubscriptions: forbidden as string[] | undefined,
  };
}
