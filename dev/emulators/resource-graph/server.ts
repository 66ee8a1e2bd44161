// Local Azure Resource Graph emulator (dev tooling, never deployed): the REST surface that
// @azure/arm-resourcegraph 5.x calls, over HTTPS, with paging, the per-user quota and fault injection.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSelfSignedCert } from '../../tls.js';
import { checkBearer, type TokenCheck } from '../../identity/jwt.js';
import { FaultState, parseFaultOptions, type FaultOptions } from './faults.js';
import { compileQuery, KqlError, type CompiledQuery, type Row, type TableName } from './kql.js';
import { latencyModel, NO_LATENCY, type LatencySettings } from './latency.js';
import { FixedWindowQuota, formatTimeSpan } from './quota.js';
import { builtInRoleDefinitions } from './role-definitions.js';

export type { FaultOptions, FaultRule } from './faults.js';

export interface Tenant {
  subscriptions: {
    subscriptionId: string;
    displayName: string;
    tags?: Record<string, string>;
    /** Ancestor management group names, e.g. ['contoso-root', 'platform']. */
    managementGroups?: string[];
  }[];
  /** Rows of the `resources` table. */
  resources: Record<string, unknown>[];
  /** Rows of type microsoft.resources/subscriptions/resourcegroups (with tags) for `resourcecontainers`. */
  resourceGroups?: Record<string, unknown>[];
  /** Rows of `authorizationresources`, e.g. microsoft.authorization/roleassignments. */
  authorizationResources?: Record<string, unknown>[];
  /**
   * Rows of `advisorresources`: microsoft.advisor/metadata (the catalog, tenant-level: no subscriptionId, so only
   * a tenant-scope query returns them) and microsoft.advisor/recommendations (per resource).
   */
  advisorResources?: Record<string, unknown>[];
  /** Rows of `servicehealthresources`: microsoft.resourcehealth/events and …/events/impactedresources. */
  serviceHealthResources?: Record<string, unknown>[];
}

export interface EmulatorOptions {
  tenant: Tenant;
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 15 requests per 5000 ms, the documented per-user quota. */
  quota?: { requests: number; windowMs: number };
  /** Largest accepted `$top` (default 1000, the service's limit). */
  maxPageSize?: number;
  /**
   * Subscriptions a tenant or management-group query covers (default 10,000, as Microsoft documents for
   * Resource Graph: past it the answer covers the first 10,000 and says so in
   * `x-ms-tenant-subscription-limit-hit: true`; see "Working with large Azure resource data sets").
   */
  subscriptionLimit?: number;
  /**
   * How long answers take (base per request + per row returned, with jitter): none by default, so tests stay
   * instant; `npm run bench` runs with DEFAULT_LATENCY (latency.ts says where its numbers come from). Quota is
   * charged, and its headers computed, when a request arrives; the answer leaves after the delay.
   */
  latency?: LatencySettings;
  /**
   * Items per page of the ARM listings (`GET /subscriptions`, management-group descendants) when the client does
   * not say (`$top`): clients must follow `nextLink`. Default 1,000.
   */
  armPageSize?: number;
  faults?: FaultOptions;
  log?: (line: object) => void;
  /**
   * Bearer tokens must be signed by this issuer (the local managed-identity endpoint, dev/identity), for ARM's
   * audience and unexpired, else 401 as ARM answers. Without it any bearer token passes (CREDENTIAL_MODE=emulator).
   */
  identity?: { publicKey: string };
}

/**
 * The audiences ARM accepts, as its own 401 names them ("It should exactly match with one of the allowed audiences
 * ..."; e.g. https://github.com/Azure-Samples/active-directory-dotnetcore-daemon-v2/issues/145).
 */
export const ARM_AUDIENCES = [
  'https://management.core.windows.net/',
  'https://management.core.windows.net',
  'https://management.azure.com/',
  'https://management.azure.com',
] as const;

/** ARM's 401 for a token it refuses: InvalidAuthenticationTokenAudience, ExpiredAuthenticationToken, InvalidAuthenticationToken. */
function refuseToken(check: Exclude<TokenCheck, { ok: true }>, now: number): Answer {
  const utc = (seconds: number) => new Date(seconds * 1000).toISOString();
  switch (check.reason) {
    case 'audience':
      return error(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${String(check.claims?.aud)}'. It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((a) => `'${a}'`).join(',')}.`,
      );
    case 'expired':
      return error(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${utc(Number(check.claims?.exp))}' is earlier than current UTC time '${new Date(now).toISOString()}'.`,
      );
    default:
      return error(
        401,
        'InvalidAuthenticationToken',
        `The access token is invalid (${check.message}).`,
      );
  }
}

export interface EmulatorStats {
  /** Resource Graph requests (ARM listings are counted apart, in `armRequests`: they cost no Resource Graph quota). */
  requests: number;
  armRequests: number;
  served: number;
  throttled: number;
  failed: number;
  rows: number;
}

export interface RequestRecord {
  at: number;
  /** HTTP status answered; 0 for a request left hanging on purpose. */
  status: number;
  subscriptions?: string[];
  managementGroups?: string[];
  query: string;
  skipToken?: string;
  rows: number;
  /** 0-based page index within the query's paging, when the request got that far. */
  page?: number;
  /** The latency model's delay for this answer (ms), besides injected faults. */
  latencyMs?: number;
}

export interface RunningEmulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM the client must trust. */
  ca: string;
  stats(): EmulatorStats;
  requests: ReadonlyArray<RequestRecord>;
  setFaults(f: FaultOptions): void;
  setTenant(t: Tenant): void;
  /** Zeroes the counters, clears the request log and starts a fresh quota window. */
  resetStats(): void;
  close(): Promise<void>;
}

const API_PATH = '/providers/microsoft.resourcegraph/resources';
/**
 * The most subscriptions one request may list. Resource Graph's REST API accepts a bounded list; Microsoft's
 * troubleshooting page ("Scenario: Too many subscriptions", learn.microsoft.com/azure/governance/resource-graph/
 * troubleshoot/general) tells callers to batch under it, and Azure CLI and PowerShell forward at most 1,000.
 */
export const MAX_LISTED_SUBSCRIPTIONS = 1000;
const SUBSCRIPTIONS_PATH = '/subscriptions';
const DESCENDANTS_PATH =
  /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)\/descendants$/;
const DEFAULT_PAGE_SIZE = 100;
const MAX_BODY_BYTES = 1 << 20;
// Enough for soak tests, bounded so a long-running dev emulator does not grow without limit.
const MAX_REQUEST_LOG = 100_000;
// Evaluated results kept for paging: a scan pages several query chains at a time.
const RESULT_CACHE_SIZE = 64;

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  rows?: number;
  hang?: boolean;
  delayMs?: number;
}

interface Subscription {
  readonly id: string;
  readonly lower: string;
  readonly displayName: string;
  readonly managementGroups: ReadonlySet<string>;
  /** Management groups from the root down to the subscription's parent. */
  readonly ancestors: readonly string[];
}

/** The tenant prepared for queries: rows per table with their lower-case subscription ids. */
interface TenantIndex {
  readonly generation: number;
  readonly subscriptions: ReadonlyMap<string, Subscription>;
  readonly tables: Record<TableName, { rows: Row[]; subs: (string | undefined)[] }>;
}

function indexTenant(tenant: Tenant, generation: number): TenantIndex {
  const subscriptions = new Map<string, Subscription>();
  for (const s of tenant.subscriptions) {
    const lower = s.subscriptionId.toLowerCase();
    subscriptions.set(lower, {
      id: s.subscriptionId,
      lower,
      displayName: s.displayName,
      managementGroups: new Set((s.managementGroups ?? []).map((m) => m.toLowerCase())),
      ancestors: s.managementGroups ?? [],
    });
  }
  const table = (rows: Record<string, unknown>[]) => ({
    rows,
    // A row with no (or an empty) subscriptionId belongs to the tenant: only a tenant-scope query returns it.
    subs: rows.map((r) =>
      typeof r.subscriptionId === 'string' && r.subscriptionId !== ''
        ? r.subscriptionId.toLowerCase()
        : undefined,
    ),
  });
  // resourcecontainers: one row per subscription, then the resource groups.
  const containers: Row[] = tenant.subscriptions.map((s) => ({
    id: `/subscriptions/${s.subscriptionId}`,
    name: s.displayName,
    type: 'microsoft.resources/subscriptions',
    tenantId: '00000000-0000-0000-0000-000000000000',
    kind: '',
    location: '',
    resourceGroup: '',
    subscriptionId: s.subscriptionId,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      state: 'Enabled',
      managementGroupAncestorsChain: [...(s.managementGroups ?? [])]
        .reverse()
        .map((name) => ({ name, displayName: name })),
    },
    tags: s.tags ?? {},
    identity: null,
    zones: null,
    extendedLocation: null,
  }));
  return {
    generation,
    subscriptions,
    tables: {
      resources: table(tenant.resources),
      resourcecontainers: table([...containers, ...(tenant.resourceGroups ?? [])]),
      // Built-in role definitions exist in every subscription, as in Azure (see role-definitions.ts).
      authorizationresources: table([
        ...(tenant.authorizationResources ?? []),
        ...builtInRoleDefinitions(
          tenant.subscriptions.map((s) => s.subscriptionId),
          tenant.authorizationResources ?? [],
        ),
      ]),
      advisorresources: table(tenant.advisorResources ?? []),
      servicehealthresources: table(tenant.serviceHealthResources ?? []),
    },
  };
}

/** Which subscriptions one request covers; `key` identifies the scope in skip tokens. */
interface ResolvedScope {
  readonly subscriptions: ReadonlySet<string>;
  /** Tenant scope also returns rows that belong to no subscription (tenant-level role assignments). */
  readonly includeUnscoped: boolean;
  readonly listed: ReadonlySet<string> | undefined;
  readonly key: string;
  /** The scope held more subscriptions than a tenant or management-group query covers. */
  readonly limitHit?: boolean;
}

interface SkipToken {
  /** Offset of the next page. */
  o: number;
  /** Page size. */
  n: number;
  /** Index of the next page. */
  p: number;
  /** Hash of query and scope: a token only continues the query it came from. */
  h: string;
}

function encodeToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify({ v: 1, ...token }), 'utf8').toString('base64');
}

function decodeToken(text: string): SkipToken | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { v, o, n, p, h } = value as Record<string, unknown>;
    if (v !== 1 || typeof h !== 'string') return undefined;
    if (![o, n, p].every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0))
      return undefined;
    return { o: o as number, n: n as number, p: p as number, h };
  } catch {
    return undefined;
  }
}

function error(
  status: number,
  code: string,
  message: string,
  details?: { code: string; message: string }[],
): Answer {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

function supportPrefix(): string {
  return `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`;
}

function defaultCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'AuthenticationFailed';
    case 403:
      return 'AuthorizationFailed';
    case 404:
      return 'NotFound';
    case 429:
      return 'RateLimiting';
    case 502:
      return 'BadGateway';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return status >= 500 ? 'InternalServerError' : 'EmulatedFault';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return 'invalid';
  return value as string[];
}

export async function startResourceGraphEmulator(
  options: EmulatorOptions,
): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const maxPageSize = options.maxPageSize ?? 1000;
  const subscriptionLimit = options.subscriptionLimit ?? 10_000;
  /** The first `subscriptionLimit` subscriptions of a tenant or management-group scope, and whether some were left out. */
  const capped = (set: Set<string>): { set: Set<string>; limitHit: boolean } =>
    set.size <= subscriptionLimit
      ? { set, limitHit: false }
      : { set: new Set([...set].sort().slice(0, subscriptionLimit)), limitHit: true };
  const quotaSettings = options.quota ?? { requests: 15, windowMs: 5000 };
  const latency = latencyModel(options.latency ?? NO_LATENCY);
  const armPageSize = options.armPageSize ?? 1000;
  let baseUrl = 'https://127.0.0.1';
  const emulatorUrl = (): string => baseUrl;
  const quota = new FixedWindowQuota(quotaSettings);
  const hosts = [...new Set(['localhost', '127.0.0.1', host])].filter(
    (h) => h !== '0.0.0.0' && h !== '::',
  );
  const { key, cert } = await createSelfSignedCert({ hosts });

  let generation = 0;
  let tenant = indexTenant(options.tenant, generation);
  let faults = new FaultState(options.faults ?? {});
  const compiled = new Map<string, CompiledQuery>();
  const results = new Map<string, { rows: Row[]; pageable: boolean }>();
  let stats: EmulatorStats = {
    requests: 0,
    armRequests: 0,
    served: 0,
    throttled: 0,
    failed: 0,
    rows: 0,
  };
  const requestLog: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const log = (line: object): void => {
    try {
      options.log?.(line);
    } catch {
      // A broken logger must not break the emulator.
    }
  };

  function compile(query: string): CompiledQuery {
    let q = compiled.get(query);
    if (!q) {
      q = compileQuery(query);
      if (compiled.size >= 64) compiled.delete(compiled.keys().next().value as string);
      compiled.set(query, q);
    }
    return q;
  }

  function resolveScope(
    subscriptions: string[] | undefined,
    groups: string[] | undefined,
  ): ResolvedScope | Answer {
    if (subscriptions && subscriptions.length > MAX_LISTED_SUBSCRIPTIONS) {
      // The shape of the service's scope errors (BadRequest, support line, a detail naming the limit), as in
      // TooManySubscriptionsUnderScope: https://github.com/Azure/cosmos-explorer/issues/1986
      return error(400, 'BadRequest', supportPrefix(), [
        {
          code: 'TooManySubscriptions',
          message: `The number of subscriptions in the request (${subscriptions.length}) has exceeded the allowed limit ${MAX_LISTED_SUBSCRIPTIONS}. Please send the query in batches of fewer subscriptions.`,
        },
      ]);
    }
    if (subscriptions && subscriptions.length > 0) {
      const set = new Set<string>();
      for (const id of subscriptions) {
        const lower = id.toLowerCase();
        if (!tenant.subscriptions.has(lower) || faults.forbidden.has(lower)) {
          return error(
            403,
            'AuthorizationFailed',
            `The client 'emulator' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/subscriptions/${id}', or the subscription does not exist.`,
          );
        }
        set.add(lower);
      }
      return {
        subscriptions: set,
        includeUnscoped: false,
        listed: set,
        key: `s:${[...set].sort().join(',')}`,
      };
    }
    const allowed = [...tenant.subscriptions.values()].filter(
      (s) => !faults.forbidden.has(s.lower),
    );
    if (groups && groups.length > 0) {
      const set = new Set<string>();
      for (const group of groups) {
        const lower = group.toLowerCase();
        const known = [...tenant.subscriptions.values()].some((s) => s.managementGroups.has(lower));
        if (!known) {
          return error(
            403,
            'AuthorizationFailed',
            `The client 'emulator' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/providers/Microsoft.Management/managementGroups/${group}', or the management group does not exist.`,
          );
        }
        for (const s of allowed) if (s.managementGroups.has(lower)) set.add(s.lower);
      }
      const limited = capped(set);
      const key = `m:${groups
        .map((g) => g.toLowerCase())
        .sort()
        .join(',')}|${[...limited.set].sort().join(',')}`;
      return {
        subscriptions: limited.set,
        includeUnscoped: false,
        listed: undefined,
        key,
        limitHit: limited.limitHit,
      };
    }
    const limited = capped(new Set(allowed.map((s) => s.lower)));
    return {
      subscriptions: limited.set,
      includeUnscoped: true,
      listed: undefined,
      key: `t:${[...limited.set].sort().join(',')}`,
      limitHit: limited.limitHit,
    };
  }

  /** The full (filtered, sorted) result of a query over a scope, cached so paging stays cheap. */
  function evaluate(
    query: CompiledQuery,
    text: string,
    scope: ResolvedScope,
  ): { rows: Row[]; pageable: boolean } {
    const cacheKey = `${tenant.generation}\n${scope.key}\n${text}`;
    const hit = results.get(cacheKey);
    if (hit) {
      results.delete(cacheKey); // re-insert: least recently used goes first
      results.set(cacheKey, hit);
      return hit;
    }
    const source = tenant.tables[query.table];
    const inScope: Row[] = [];
    for (let i = 0; i < source.rows.length; i++) {
      const sub = source.subs[i];
      if (sub === undefined ? scope.includeUnscoped : scope.subscriptions.has(sub)) {
        inScope.push(source.rows[i] as Row);
      }
    }
    const result = { rows: query.run(inScope), pageable: query.pageable };
    results.set(cacheKey, result);
    while (results.size > RESULT_CACHE_SIZE) results.delete(results.keys().next().value as string);
    return result;
  }

  function badQuery(message: string, detailCode = 'ParserFailure'): Answer {
    return error(400, 'BadRequest', supportPrefix(), [
      {
        code: 'InvalidQuery',
        message:
          'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
      },
      { code: detailCode, message },
    ]);
  }

  /** Decides the answer to one API request; `record` collects what the request log shows. */
  /**
   * ARM authenticates a request before the resource provider sees it, so an unauthenticated one is refused with
   * 401 whatever the quota, and charges no one's quota (the quota is per user: it has none).
   */
  function authenticationRefusal(req: IncomingMessage): Answer | undefined {
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
      return error(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing or is not a bearer token.",
      );
    }
    if (options.identity) {
      const now = Date.now();
      const check = checkBearer(
        req.headers.authorization,
        { publicKey: options.identity.publicKey, audiences: ARM_AUDIENCES },
        now,
      );
      if (!check.ok) return refuseToken(check, now);
    }
    return undefined;
  }

  function answer(req: IncomingMessage, url: URL, raw: string, record: RequestRecord): Answer {
    if (!url.searchParams.get('api-version')) {
      return error(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(
        400,
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    }
    if (!isRecord(body))
      return error(400, 'InvalidRequestContent', 'The request body must be a JSON object.');
    const subscriptions = stringList(body.subscriptions);
    const groups = stringList(body.managementGroups);
    if (subscriptions === 'invalid')
      return error(400, 'BadRequest', "'subscriptions' must be an array of strings.");
    if (groups === 'invalid')
      return error(400, 'BadRequest', "'managementGroups' must be an array of strings.");
    if (subscriptions) record.subscriptions = subscriptions;
    if (groups) record.managementGroups = groups;
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      return error(400, 'BadRequest', "The request must contain a non-empty 'query'.");
    }
    const text = body.query;
    record.query = text;
    if (subscriptions?.length && groups?.length) {
      return error(
        400,
        'BadRequest',
        'Specify either subscriptions or managementGroups, not both.',
      );
    }
    if (Array.isArray(body.facets) && body.facets.length > 0) {
      return error(400, 'BadRequest', 'Facets are not supported by the emulator.');
    }
    const opts = body.options === undefined || body.options === null ? {} : body.options;
    if (!isRecord(opts)) return error(400, 'BadRequest', "'options' must be an object.");
    const top = opts.$top;
    const skip = opts.$skip;
    const tokenText = opts.$skipToken;
    if (
      top !== undefined &&
      (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > maxPageSize)
    ) {
      return error(
        400,
        'BadRequest',
        `The value of '$top' must be an integer between 1 and ${maxPageSize}.`,
      );
    }
    if (skip !== undefined && (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0)) {
      return error(400, 'BadRequest', "The value of '$skip' must be a non-negative integer.");
    }
    if (tokenText !== undefined && typeof tokenText !== 'string') {
      return error(400, 'BadRequest', "'$skipToken' must be a string.");
    }
    if (typeof tokenText === 'string') record.skipToken = tokenText;
    const format = opts.resultFormat;
    if (format !== undefined && format !== 'objectArray') {
      return error(
        400,
        'BadRequest',
        `resultFormat '${String(format)}' is not supported by the emulator: use 'objectArray'.`,
      );
    }

    const scope = resolveScope(subscriptions, groups);
    if ('status' in scope) return scope;

    let query: CompiledQuery;
    try {
      query = compile(text);
    } catch (e) {
      if (e instanceof KqlError) return badQuery(e.describe());
      throw e;
    }

    const hash = createHash('sha256').update(`${scope.key}\n${text}`).digest('hex').slice(0, 16);
    let offset = skip ?? 0;
    let pageSize = top ?? DEFAULT_PAGE_SIZE;
    let page = 0;
    if (typeof tokenText === 'string') {
      const token = decodeToken(tokenText);
      if (!token)
        return error(400, 'BadRequest', supportPrefix(), [
          { code: 'InvalidSkipToken', message: 'The $skipToken is malformed.' },
        ]);
      if (token.h !== hash) {
        return error(400, 'BadRequest', supportPrefix(), [
          {
            code: 'InvalidSkipToken',
            message:
              'The $skipToken does not belong to this query and scope: send the same query and scope as the request that returned it.',
          },
        ]);
      }
      // Like the service: $skip and $top given with a token override its offset and page size.
      offset = skip ?? token.o;
      pageSize = top ?? token.n;
      page = token.p;
    }
    record.page = page;

    const result = evaluate(query, text, scope);
    const total = result.rows.length;
    // Without `id` the service cannot page: one page, flagged as truncated.
    const data = result.rows.slice(offset, offset + pageSize);
    const more = offset + data.length < total;
    const body200: Record<string, unknown> = {
      totalRecords: total,
      count: data.length,
      resultTruncated: more && !result.pageable ? 'true' : 'false',
      facets: [],
      ...(more && result.pageable
        ? {
            $skipToken: encodeToken({ o: offset + data.length, n: pageSize, p: page + 1, h: hash }),
          }
        : {}),
      data,
    };

    const decision = faults.decide({
      requestsBefore: stats.requests - 1,
      page,
      query: text,
      listedSubscriptions: scope.listed,
      pageSubscriptions: () => {
        const set = new Set<string>();
        for (const row of data)
          if (typeof row.subscriptionId === 'string') set.add(row.subscriptionId.toLowerCase());
        return set;
      },
    });
    const limitHeaders: Record<string, string> | undefined = scope.limitHit
      ? { 'x-ms-tenant-subscription-limit-hit': 'true' }
      : undefined;
    if (decision.kind === 'random-error') {
      return error(
        500,
        'InternalServerError',
        `${supportPrefix()} Emulated random failure (errorRate).`,
      );
    }
    if (decision.kind === 'rule') {
      const r = decision.respond;
      if (r.hang) return { status: 0, hang: true };
      if (r.status === 200 && r.truncated) {
        // The service's own word that the answer is incomplete: no skip token, resultTruncated "true".
        const { $skipToken: _token, ...rest } = body200;
        return {
          status: 200,
          body: { ...rest, resultTruncated: 'true' },
          rows: data.length,
          delayMs: r.delayMs ?? 0,
          ...(limitHeaders ? { headers: limitHeaders } : {}),
        };
      }
      if (r.status === 200)
        return {
          status: 200,
          body: body200,
          rows: data.length,
          delayMs: r.delayMs ?? 0,
          ...(limitHeaders ? { headers: limitHeaders } : {}),
        };
      const faulted = error(
        r.status,
        r.code ?? defaultCode(r.status),
        `${supportPrefix()} Emulated fault (rule ${decision.index}).`,
      );
      const retryAfter = r.retryAfterSeconds ?? (r.status === 429 ? 1 : undefined);
      return {
        ...faulted,
        delayMs: r.delayMs ?? 0,
        ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
      };
    }
    return {
      status: 200,
      body: body200,
      rows: data.length,
      ...(limitHeaders ? { headers: limitHeaders } : {}),
    };
  }

  function send(
    res: ServerResponse,
    a: Answer,
    extraDelay: number,
    started: number,
    record: RequestRecord,
  ): void {
    const finish = (): void => {
      if (res.destroyed || res.writableEnded) return;
      const payload = a.body === undefined ? '' : JSON.stringify(a.body);
      res.writeHead(a.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-ms-request-id': randomUUID(),
        ...a.headers,
      });
      res.end(payload);
      log({
        at: new Date(started).toISOString(),
        status: a.status,
        ms: Date.now() - started,
        page: record.page,
        rows: a.rows ?? 0,
        query: record.query.slice(0, 160),
      });
    };
    const delay = faults.latencyMs + extraDelay;
    if (delay <= 0) return finish();
    const timer = setTimeout(() => {
      timers.delete(timer);
      finish();
    }, delay);
    timers.add(timer);
  }

  function pushRecord(record: RequestRecord): void {
    requestLog.push(record);
    if (requestLog.length > MAX_REQUEST_LOG)
      requestLog.splice(0, requestLog.length - MAX_REQUEST_LOG);
  }

  function quotaHeaders(now: number): Record<string, string> {
    const state = quota.state(now);
    return {
      'x-ms-user-quota-remaining': String(state.remaining),
      'x-ms-user-quota-resets-after': formatTimeSpan(state.resetsAfterMs),
    };
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const now = Date.now();
    stats.requests++;
    const record: RequestRecord = { at: now, status: 0, query: '', rows: 0 };
    // Peek at the body for the request log even when the request is throttled.
    try {
      const peek: unknown = JSON.parse(raw);
      if (isRecord(peek) && typeof peek.query === 'string') record.query = peek.query;
    } catch {
      // answered as 400 below when it is not throttled
    }
    pushRecord(record);

    const throttle = (
      retryAfterSeconds: number,
      headers: Record<string, string>,
      why: string,
    ): void => {
      stats.throttled++;
      record.status = 429;
      const a = error(
        429,
        'RateLimiting',
        `${supportPrefix()} Details: ${why} Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.`,
      );
      send(
        res,
        { ...a, headers: { ...headers, 'retry-after': String(retryAfterSeconds) } },
        0,
        now,
        record,
      );
    };

    const refused = authenticationRefusal(req);
    if (refused) {
      record.status = refused.status;
      send(res, refused, 0, now, record);
      return;
    }
    if (faults.takeStorm()) {
      const state = quota.state(now);
      throttle(
        1,
        {
          'x-ms-user-quota-remaining': '0',
          'x-ms-user-quota-resets-after': formatTimeSpan(Math.max(state.resetsAfterMs, 1000)),
        },
        'Emulated throttle storm.',
      );
      return;
    }
    if (quota.exhausted(now)) {
      const state = quota.state(now);
      throttle(
        Math.max(1, Math.ceil(state.resetsAfterMs / 1000)),
        quotaHeaders(now),
        `Quota of ${quotaSettings.requests} requests per ${quotaSettings.windowMs} ms exceeded.`,
      );
      return;
    }

    let a: Answer;
    try {
      a = answer(req, url, raw, record);
    } catch (e) {
      a = error(
        500,
        'InternalServerError',
        `Emulator failure: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    record.status = a.status;
    if (a.hang) {
      // Not charged: a request that never gets an answer may never have reached the service.
      stats.failed++;
      log({
        at: new Date(now).toISOString(),
        status: 'hang',
        page: record.page,
        query: record.query.slice(0, 160),
      });
      return;
    }
    // Every answered request costs quota, errors included; 429s do not.
    if (a.status !== 429) quota.charge(now);
    // The model's delay: a 429 is answered at once (the service refuses before it runs the query).
    const modelDelay = a.status === 429 ? 0 : latency.delayMs(a.status === 200 ? (a.rows ?? 0) : 0);
    record.latencyMs = modelDelay;
    if (a.status === 200) {
      stats.served++;
      stats.rows += a.rows ?? 0;
      record.rows = a.rows ?? 0;
    } else if (a.status === 429) {
      stats.throttled++;
    } else {
      stats.failed++;
    }
    send(
      res,
      { ...a, headers: { ...quotaHeaders(now), ...a.headers } },
      (a.delayMs ?? 0) + modelDelay,
      now,
      record,
    );
  }

  /** ARM's own checks on a GET: api-version and a bearer token (the same identity rules as the query API). */
  function armPreamble(req: IncomingMessage, url: URL): Answer | undefined {
    if (!url.searchParams.get('api-version'))
      return error(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    return authenticationRefusal(req);
  }

  /** One page of an ARM list: `value`, and `nextLink` (this URL with `$skiptoken`) while more remain. */
  function armPage(url: URL, items: unknown[]): Answer {
    const skipText = url.searchParams.get('$skiptoken');
    const skip = skipText === null ? 0 : Number(skipText);
    if (!Number.isInteger(skip) || skip < 0)
      return error(400, 'InvalidSkipToken', `The $skiptoken '${skipText}' is not valid.`);
    const topText = url.searchParams.get('$top');
    const top = topText === null ? armPageSize : Number(topText);
    if (!Number.isInteger(top) || top < 1)
      return error(400, 'InvalidTop', `The $top '${topText}' must be a positive integer.`);
    const value = items.slice(skip, skip + top);
    const body: Record<string, unknown> = { value };
    if (skip + value.length < items.length) {
      const next = new URL(url.href.replace('https://emulator.invalid', emulatorUrl()));
      next.searchParams.set('$skiptoken', String(skip + value.length));
      body.nextLink = next.href;
    }
    return { status: 200, body, rows: value.length };
  }

  /** `GET /subscriptions` (ARM, `@azure/arm-subscriptions`): every subscription the caller can read, no 10,000 cap. */
  function listSubscriptionsArm(req: IncomingMessage, url: URL): Answer {
    const refused = armPreamble(req, url);
    if (refused) return refused;
    const items = [...tenant.subscriptions.values()]
      .filter((s) => !faults.forbidden.has(s.lower))
      .map((s) => ({
        id: `/subscriptions/${s.id}`,
        subscriptionId: s.id,
        tenantId: '00000000-0000-0000-0000-000000000000',
        displayName: s.displayName,
        state: 'Enabled',
        subscriptionPolicies: {
          locationPlacementId: 'Public_2014-09-01',
          quotaId: 'EnterpriseAgreement_2014-09-01',
          spendingLimit: 'Off',
        },
        authorizationSource: 'RoleBased',
      }));
    return armPage(url, items);
  }

  /**
   * `GET /providers/Microsoft.Management/managementGroups/{id}/descendants` (`@azure/arm-managementgroups`): the
   * group's child groups and every subscription under it, at any depth, paged with `$skiptoken`/`nextLink`.
   */
  function listDescendantsArm(req: IncomingMessage, url: URL, groupId: string): Answer {
    const refused = armPreamble(req, url);
    if (refused) return refused;
    const group = groupId.toLowerCase();
    const groupPath = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;
    const groups = new Map<string, string>();
    const subscriptions: unknown[] = [];
    for (const s of [...tenant.subscriptions.values()].sort((a, b) =>
      a.lower < b.lower ? -1 : 1,
    )) {
      const chain = s.ancestors;
      const at = chain.findIndex((m) => m.toLowerCase() === group);
      if (at < 0 || faults.forbidden.has(s.lower)) continue;
      for (let i = at + 1; i < chain.length; i++)
        groups.set((chain[i] as string).toLowerCase(), JSON.stringify([chain[i], chain[i - 1]]));
      subscriptions.push({
        id: `/subscriptions/${s.id}`,
        type: 'Microsoft.Management/managementGroups/subscriptions',
        name: s.id,
        properties: {
          displayName: s.displayName,
          parent: { id: groupPath(chain[chain.length - 1] as string) },
        },
      });
    }
    if (subscriptions.length === 0 && groups.size === 0) {
      const known = [...tenant.subscriptions.values()].some((s) => s.managementGroups.has(group));
      if (!known)
        return error(
          403,
          'AuthorizationFailed',
          `The client 'emulator' does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '${groupPath(groupId)}', or the management group does not exist.`,
        );
    }
    const groupItems = [...groups.values()].map((text) => {
      const [name, parent] = JSON.parse(text) as [string, string];
      return {
        id: groupPath(name),
        type: 'Microsoft.Management/managementGroups',
        name,
        properties: { displayName: name, parent: { id: groupPath(parent) } },
      };
    });
    return armPage(url, [...groupItems, ...subscriptions]);
  }

  function handleArm(req: IncomingMessage, res: ServerResponse, url: URL, path: string): void {
    stats.armRequests++;
    let a: Answer;
    if (req.method !== 'GET') a = error(405, 'MethodNotAllowed', `Use GET on ${url.pathname}.`);
    else if (path === SUBSCRIPTIONS_PATH) a = listSubscriptionsArm(req, url);
    else {
      const match = DESCENDANTS_PATH.exec(path);
      a = match
        ? listDescendantsArm(req, url, decodeURIComponent(match[1] as string))
        : error(404, 'NotFound', 'No such route.');
    }
    const record: RequestRecord = {
      at: Date.now(),
      status: a.status,
      query: `GET ${url.pathname}`,
      rows: a.rows ?? 0,
    };
    send(res, a, a.status === 200 ? latency.delayMs(a.rows ?? 0) : 0, record.at, record);
  }

  function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, raw: string): void {
    const reply = (status: number, body?: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (path === '/_emulator/faults' && req.method === 'PUT') {
      try {
        setFaults(parseFaultOptions(JSON.parse(raw === '' ? '{}' : raw)));
        return reply(204);
      } catch (e) {
        return reply(400, {
          error: { code: 'BadRequest', message: e instanceof Error ? e.message : String(e) },
        });
      }
    }
    if (path === '/_emulator/stats' && req.method === 'GET') {
      const state = quota.state(Date.now());
      return reply(200, {
        ...stats,
        quota: { ...quotaSettings, remaining: state.remaining, resetsAfterMs: state.resetsAfterMs },
        tenant: {
          subscriptions: tenant.subscriptions.size,
          resources: tenant.tables.resources.rows.length,
        },
      });
    }
    return reply(404, {
      error: { code: 'NotFound', message: `No emulator admin route ${req.method} ${path}.` },
    });
  }

  function setFaults(f: FaultOptions): void {
    faults = new FaultState(f);
    results.clear(); // forbidden subscriptions change what tenant scope covers
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (closed) return;
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            error: {
              code: 'RequestEntityTooLarge',
              message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
            },
          }),
        );
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      if (path.startsWith('/_emulator/')) return handleAdmin(req, res, path, raw);
      const armPath = path.toLowerCase().replace(/\/+$/, '');
      if (armPath === SUBSCRIPTIONS_PATH || DESCENDANTS_PATH.test(armPath))
        return handleArm(req, res, url, armPath);
      if (path.toLowerCase().replace(/\/+$/, '') !== API_PATH) {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            error: { code: 'NotFound', message: `The emulator serves only POST ${API_PATH}.` },
          }),
        );
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { 'content-type': 'application/json; charset=utf-8', allow: 'POST' });
        res.end(
          JSON.stringify({
            error: { code: 'MethodNotAllowed', message: `Use POST on ${API_PATH}.` },
          }),
        );
        return;
      }
      handleApi(req, res, url, raw);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that drops the connection mid-handshake is normal in fault tests.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  baseUrl = `https://${urlHost}:${port}`;
  return {
    url: baseUrl,
    ca: cert,
    stats: () => ({ ...stats }),
    get requests(): ReadonlyArray<RequestRecord> {
      return requestLog;
    },
    setFaults,
    setTenant(t: Tenant) {
      generation++;
      tenant = indexTenant(t, generation);
      results.clear();
    },
    resetStats() {
      stats = { requests: 0, armRequests: 0, served: 0, throttled: 0, failed: 0, rows: 0 };
      requestLog.length = 0;
      quota.reset();
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive connections would hold close() open.
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
}
