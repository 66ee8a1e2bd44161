// All Resource Graph traffic: subscription batches, $skipToken paging, quota pacing, retries, timeouts.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  SourceError,
  type GraphQuery,
  type PageNotice,
  type ResourceSource,
  type Scope,
  type SourceStats,
} from '../../app/ports.js';
import { buildKql } from './kql.js';
import {
  QuotaPacer,
  parseRetryAfter,
  realClock,
  type PacerClock,
  type PacerTicket,
} from './pacer.js';
import { SharedQuota, type QuotaAllocation } from './shared-quota.js';

export interface ResourceGraphSourceOptions {
  readonly credential: TokenCredential;
  readonly endpoint?: string;
  /** The token audience (`https://management.usgovcloudapi.net/.default` for US Government...); default: public cloud. */
  readonly scope?: string | undefined;
  /** PEM of a CA to trust instead of the public ones (a local emulator). */
  readonly ca?: string;
  readonly batchSize?: number;
  readonly pageSize?: number;
  readonly pageTimeoutMs?: number;
  /** Attempts per page (throttling, 5xx, timeouts, network errors). */
  readonly maxAttempts?: number;
  /** First backoff after a failed attempt (doubles each time, capped at 30 s). */
  readonly retryBaseMs?: number;
  readonly clock?: PacerClock;
  readonly onPage?: (info: { rows: number; pages: number }) => void;
  /**
   * Where the processes spending this identity's quota agree how much of each window each sends (queue workers:
   * several at once). Without it the pacer learns of others from the answers alone.
   */
  readonly allocation?: QuotaAllocation;
  /** Told once when `allocation` cannot be reached. */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

function restError(error: unknown): RestErrorLike {
  return typeof error === 'object' && error !== null ? (error as RestErrorLike) : {};
}

/** What @azure/identity throws when no credential could give a token. */
const SIGN_IN_ERRORS = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
  'AuthenticationError',
]);

/** At most `max` characters, cut at a word boundary with an ellipsis, never mid-word. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Carries the pacer ticket `page()` acquired to the pacer policy; removed before the request leaves. */
const TICKET_HEADER = 'x-readiness-pacer-ticket';

export class ResourceGraphSource implements ResourceSource {
  private readonly client: ResourceGraphClient;
  private readonly pacer: QuotaPacer;
  private readonly shared: SharedQuota | undefined;
  private readonly tickets = new Map<string, PacerTicket>();
  private readonly clock: PacerClock;
  private backoffMs = 0;
  private readonly counters: SourceStats = {
    pages: 0,
    rows: 0,
    throttled429: 0,
    retries: 0,
    waitedMs: 0,
  };

  constructor(private readonly options: ResourceGraphSourceOptions) {
    this.clock = options.clock ?? realClock;
    this.pacer = new QuotaPacer(this.clock);
    this.shared = options.allocation
      ? new SharedQuota(options.allocation, this.pacer, {
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.warn ? { warn: options.warn } : {}),
        })
      : undefined;
    const pacer = this.pacer;
    const shared = this.shared;
    const clock = this.clock;
    const tickets = this.tickets;
    // Sees every attempt, so the pacer learns the quota from each response, 429s included.
    const quotaPolicy: PipelinePolicy = {
      name: 'readinessQuotaPacer',
      async sendRequest(request, next) {
        // The quota was usually waited for before the page's timeout started (`page()`, its ticket in a header
        // of ours, never sent); a request that comes without one waits here.
        const id = request.headers.get(TICKET_HEADER);
        request.headers.delete(TICKET_HEADER);
        const held = id === undefined ? undefined : tickets.get(id);
        if (id !== undefined) tickets.delete(id);
        if (!held) shared?.touch();
        const granted =
          held ?? (await pacer.acquire(request.abortSignal as AbortSignal | undefined));
        // Dated when it leaves, not when the quota let it go: a token or a busy event loop in between would make
        // the window's estimated end early by that much (`resets-after` counts from the request's arrival).
        const ticket = { seq: granted.seq, sentAt: clock.now() };
        try {
          const response = await next(request);
          pacer.observe(
            {
              status: response.status,
              remaining: response.headers.get('x-ms-user-quota-remaining'),
              resetsAfter: response.headers.get('x-ms-user-quota-resets-after'),
              retryAfter: response.headers.get('retry-after'),
            },
            ticket,
          );
          return response;
        } catch (error) {
          pacer.abandon(ticket);
          throw error;
        }
      },
    };
    this.client = new ResourceGraphClient(options.credential, {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      ...(options.scope ? { credentials: { scopes: [options.scope] } } : {}),
      // Retries are ours (below): one place that honours Retry-After, counts 429s and handles timeouts.
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy: quotaPolicy, position: 'perRetry' }],
      userAgentOptions: { userAgentPrefix: 'azure-readiness-scanner' },
    });
  }

  /** Leaves the quota allocation at once (a worker that ends; otherwise its entry would count until it expires). */
  async close(): Promise<void> {
    await this.shared?.stop();
  }

  batches(scope: Scope, size = this.options.batchSize ?? 300): Scope[] {
    if (scope.kind !== 'subscriptions') return [scope];
    // Resource Graph refuses a request listing more than 1,000 subscriptions.
    size = Math.max(1, Math.min(1000, size));
    const out: Scope[] = [];
    for (let i = 0; i < scope.ids.length; i += size) {
      out.push({ kind: 'subscriptions', ids: scope.ids.slice(i, i + size) });
    }
    return out;
  }

  stats(): SourceStats {
    // Waiting for the quota window and backing off after errors (Retry-After included).
    return {
      ...this.counters,
      throttled429: this.pacer.throttled,
      waitedMs: Math.round(this.pacer.waitedMs + this.backoffMs),
    };
  }

  async *pages(
    query: GraphQuery,
    scope: Scope,
    signal?: AbortSignal,
    notice?: (notice: PageNotice) => void,
  ): AsyncIterable<readonly unknown[]> {
    const kql = buildKql(query);
    const pageSize = this.options.pageSize ?? 1000;
    let skipToken: string | undefined;
    let seen = 0;
    // Unknown before the first page answers (a new chain goes first); then what totalRecords says is left.
    let pagesLeft = Number.POSITIVE_INFINITY;
    do {
      const { response, subscriptionLimitHit } = await this.page(
        kql,
        scope,
        skipToken,
        signal,
        pagesLeft,
      );
      const data: unknown = response.data;
      if (!Array.isArray(data)) {
        throw new SourceError(
          'Resource Graph answered without a row array (resultFormat objectArray expected)',
          'server',
        );
      }
      // An answer the service itself calls incomplete is never taken as the whole truth.
      if (String(response.resultTruncated).toLowerCase() === 'true') {
        throw new SourceError(
          `Resource Graph truncated its answer (resultTruncated: ${data.length} of ${response.totalRecords} rows)`,
          'truncated',
        );
      }
      notice?.({ subscriptionLimitHit });
      seen += data.length;
      const total = Number(response.totalRecords);
      pagesLeft = Number.isFinite(total) ? Math.max(0, Math.ceil((total - seen) / pageSize)) : 1;
      this.counters.pages++;
      this.counters.rows += data.length;
      this.options.onPage?.({ rows: data.length, pages: this.counters.pages });
      yield data;
      skipToken = response.skipToken || undefined;
    } while (skipToken);
  }

  private async page(
    kql: string,
    scope: Scope,
    skipToken: string | undefined,
    signal?: AbortSignal,
    pagesLeft = Number.POSITIVE_INFINITY,
  ) {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const timeoutMs = this.options.pageTimeoutMs ?? 60_000;
    let throttledAttempts = 0;
    for (let attempt = 1; ; attempt++) {
      // The quota first (the chain with the most pages left goes first), then the page's own timeout: a page
      // waiting its turn behind other chains has not been sent, and must not time out for it.
      this.shared?.touch();
      const ticket = await this.pacer.acquire(signal, pagesLeft);
      const ticketId = String(ticket.seq);
      this.tickets.set(ticketId, ticket);
      const timeout = AbortSignal.timeout(timeoutMs);
      const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let subscriptionLimitHit = false;
      try {
        const response = await this.client.resources(
          {
            query: kql,
            ...(scope.kind === 'subscriptions' ? { subscriptions: [...scope.ids] } : {}),
            ...(scope.kind === 'managementGroups' ? { managementGroups: [...scope.ids] } : {}),
            options: {
              top: this.options.pageSize ?? 1000,
              resultFormat: 'objectArray',
              ...(skipToken ? { skipToken } : {}),
            },
          },
          {
            abortSignal,
            requestOptions: { headers: { [TICKET_HEADER]: ticketId } },
            onResponse: (raw) => {
              subscriptionLimitHit =
                raw.headers.get('x-ms-tenant-subscription-limit-hit')?.toLowerCase() === 'true';
            },
          },
        );
        // No request went through the policy (a client stubbed in tests): the ticket goes back all the same.
        if (this.tickets.delete(ticketId)) this.pacer.abandon(ticket);
        return { response, subscriptionLimitHit };
      } catch (error) {
        // Failed before the policy took the ticket (no request went out): give it back.
        if (this.tickets.delete(ticketId)) this.pacer.abandon(ticket);
        if (signal?.aborted) throw error;
        const failure = this.classify(error, timeout.aborted, timeoutMs);
        const retryable =
          failure.reason !== 'forbidden' &&
          failure.reason !== 'bad-request' &&
          failure.reason !== 'unauthenticated';
        // A 429 is the service saying "later", not "broken": throttling gets twice the attempts.
        if (failure.reason === 'throttled') throttledAttempts++;
        const exhausted =
          failure.reason === 'throttled'
            ? throttledAttempts >= maxAttempts * 2
            : attempt - throttledAttempts >= maxAttempts;
        if (!retryable || exhausted) throw failure;
        this.counters.retries++;
        const retryAfter = parseRetryAfter(
          restError(error).response?.headers?.get('retry-after'),
          this.clock.now(),
        );
        // 429: the pacer already knows when the window resets; others: exponential backoff with jitter.
        const backoff =
          failure.reason === 'throttled'
            ? (retryAfter ?? 0)
            : Math.min(30_000, (this.options.retryBaseMs ?? 500) * 2 ** (attempt - 1)) *
              (0.75 + Math.random() * 0.5);
        this.backoffMs += backoff;
        await this.clock.sleep(backoff, signal);
      }
    }
  }

  private classify(error: unknown, timedOut: boolean, timeoutMs: number): SourceError {
    if (timedOut)
      return new SourceError(`Resource Graph did not answer within ${timeoutMs} ms`, 'timeout');
    const e = restError(error);
    const status = e.statusCode;
    const detail = shorten(e.message ?? String(error), 500);
    // No token at all: not the service's fault, and retrying will not help — say what to run.
    const name = error instanceof Error ? error.name : '';
    if (status === undefined && SIGN_IN_ERRORS.has(name))
      return new SourceError(
        `could not sign in to Azure (${name}): run \`az login\` (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, or run where a managed identity is available). Detail: ${detail}`,
        'unauthenticated',
      );
    if (status === 429)
      return new SourceError(
        `Resource Graph throttled the request (429): ${detail}`,
        'throttled',
        429,
      );
    if (status === 403 || status === 401)
      return new SourceError(
        `Resource Graph denied access (${status}): ${detail}`,
        'forbidden',
        status,
      );
    if (status !== undefined && status >= 400 && status < 500) {
      return new SourceError(
        `Resource Graph rejected the query (${status}): ${detail}`,
        'bad-request',
        status,
      );
    }
    if (status !== undefined)
      return new SourceError(`Resource Graph failed (${status}): ${detail}`, 'server', status);
    return new SourceError(`Resource Graph could not be reached: ${detail}`, 'network');
  }
}
