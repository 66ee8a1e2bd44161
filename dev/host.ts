// A small local stand-in for the Functions host: the same registered functions, timers on their schedules, HTTP under /api.
// Handlers get the objects the real host gives them: @azure/functions' HttpRequest and InvocationContext, and
// what they return goes through its HttpResponse. authLevel function needs the function key, as in Azure.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Cron } from 'croner';
import functions, { type HttpResponseInit, type Timer } from '@azure/functions';
import type {
  FunctionRegistration,
  HttpFunction,
  QueueFunction,
} from '../src/functions/registry.js';
import {
  decodeMessage,
  type ReceivedMessage,
  type StorageQueue,
} from '../src/adapters/queue/storage-queue.js';
import {
  startQueueTrigger,
  type HostQueueOptions,
  type QueueTriggerOptions,
  type RunningQueueTrigger,
} from './queue-trigger.js';
import type { Logger } from '../src/app/ports.js';
import { SignInStandIn } from './sign-in.js';

// @azure/functions is CommonJS: Node's ESM loader only sees `app` as a named export, so the classes come off the default.
const { HttpRequest, HttpResponse, InvocationContext } = functions;
type HttpResponse = InstanceType<typeof HttpResponse>;
type InvocationContext = InstanceType<typeof InvocationContext>;

export interface LocalHostOptions {
  readonly functions: readonly FunctionRegistration[];
  /** Resolves a timer's schedule setting to its NCRONTAB value. */
  readonly schedule: (setting: string) => string;
  readonly port?: number;
  readonly host?: string;
  readonly log: Logger;
  /** Run timers on their schedules (off in tests that call them directly). */
  readonly timers?: boolean;
  readonly maxBodyBytes?: number;
  /**
   * The function key that `authLevel: 'function'` routes require, in the `code` query parameter or the
   * `x-functions-key` header (as the Functions host takes it); without it they answer 401. Anonymous routes
   * (health, the rule docs) need none.
   */
  readonly functionKey: string;
  /**
   * The App Service Authentication stand-in (APP_SERVICE_AUTHENTICATION=true locally): client-sent principal headers
   * are stripped, a local sign-in (`/.auth/login/aad?user=<address>[&roles=..][&groups=..]`) sets the session cookie,
   * and the principal headers are set only for a signed-in session; an unauthenticated request to a people's route is
   * redirected to the sign-in (a browser) or answered 401, as `RedirectToLoginPage` does. See dev/sign-in.ts.
   */
  readonly signIn?: boolean;
  /**
   * The scan queue its queue triggers poll (Azurite's queue service), with the host.json queue options; without
   * it the queue functions are not run.
   */
  readonly queues?: {
    readonly queue: StorageQueue;
    readonly settings?: QueueSettings;
  };
}

/** The header the Functions host reads a function key from (else the `code` query parameter). */
export const FUNCTION_KEY_HEADER = 'x-functions-key';

/** A random key for a local host, shaped like the keys Azure generates (URL-safe base64). */
export function generateFunctionKey(): string {
  return randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
}

/** Compares a given key with the host's in constant time (their digests: equal lengths); the host's digest is made once. */
function keyChecker(expected: string): (given: string) => boolean {
  const digest = createHash('sha256').update(expected).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), digest);
}

export interface RunningHost {
  readonly url: string;
  /** Runs a timer function now, as its schedule would. */
  runTimer(name: string): Promise<void>;
  /** The queue trigger, when the host polls a queue. */
  readonly queueTrigger?: RunningQueueTrigger | undefined;
  close(): Promise<void>;
}

function contextFor(
  name: string,
  trigger: 'httpTrigger' | 'timerTrigger' | 'queueTrigger',
  log: Logger,
): InvocationContext {
  const invocationId = randomUUID();
  return new InvocationContext({
    invocationId,
    functionName: name,
    options: {
      trigger: {
        type: trigger,
        name:
          trigger === 'httpTrigger' ? 'request' : trigger === 'timerTrigger' ? 'timer' : 'message',
      },
      extraInputs: [],
      extraOutputs: [],
    },
    logHandler: (level, ...args) => {
      const message = args.map(String).join(' ');
      const fields = { function: name, invocationId };
      if (level === 'error' || level === 'critical') log.error(message, fields);
      else if (level === 'warning') log.warn(message, fields);
      else log.info(message, fields);
    },
  });
}

/** The queue options the local host (and a scan worker) take; the rest are host.json's. */
export type QueueSettings = HostQueueOptions &
  Partial<Pick<QueueTriggerOptions, 'messageLeaseSeconds'>>;

/**
 * The registered queue functions run by a queue trigger on the scan queue: the batch worker on the queue, its twin on
 * the poison queue, each invocation with its own InvocationContext as the Functions host gives it. Undefined when
 * no queue function is registered.
 */
export function startQueueFunctions(options: {
  readonly functions: readonly FunctionRegistration[];
  readonly queue: StorageQueue;
  readonly settings?: QueueSettings | undefined;
  readonly log: Logger;
}): RunningQueueTrigger | undefined {
  const queueFns = options.functions.filter((f): f is QueueFunction => f.kind === 'queue');
  const main = queueFns.find((f) => !f.poison);
  const poison = queueFns.find((f) => f.poison);
  if (!main) return undefined;
  // As the Functions host does, each invocation is logged when it starts ("Executing ...", with the message's id and
  // dequeue count) and when it ends ("Executed ...", succeeded or failed, and its duration).
  const runQueueFn = (fn: QueueFunction) => async (message: ReceivedMessage) => {
    const context = contextFor(fn.name, 'queueTrigger', options.log);
    const fields = {
      function: fn.name,
      invocationId: context.invocationId,
      messageId: message.id,
      dequeueCount: message.dequeueCount,
    };
    options.log.info('function executing', fields);
    const started = performance.now();
    const done = (succeeded: boolean) =>
      options.log.info('function executed', {
        ...fields,
        succeeded,
        durationMs: Math.round(performance.now() - started),
      });
    try {
      // As the worker does: a JSON message reaches the handler parsed.
      await fn.handler(decodeMessage(message.text), context);
      done(true);
    } catch (error) {
      done(false);
      throw error;
    }
  };
  return startQueueTrigger({
    queue: options.queue,
    handler: runQueueFn(main),
    ...(poison ? { poisonHandler: runQueueFn(poison) } : {}),
    ...options.settings,
    log: options.log,
  });
}

function compileRoute(route: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = route
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (param) {
        names.push(param[1] as string);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^/api/${source}/?$`, 'i'), names };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // Refused on its declared length before a byte is read.
  if (Number(req.headers['content-length'] ?? 0) > limit)
    throw Object.assign(new Error('request body too large'), { status: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startLocalHost(options: LocalHostOptions): Promise<RunningHost> {
  if (options.functionKey.trim().length < 16) {
    throw new Error('the local host needs a function key of at least 16 characters');
  }
  const routes = options.functions
    .filter((f): f is HttpFunction => f.kind === 'http')
    .map((fn) => ({ fn, ...compileRoute(fn.route) }));
  // People's routes are anonymous at the host only behind sign-in, and then they must be: a mismatch is refused.
  for (const { fn } of routes) {
    if (fn.access !== 'people') continue;
    if (fn.authLevel === 'anonymous' && !options.signIn)
      throw new Error(
        `${fn.name} is anonymous but the host has no sign-in: register functionsFor(false), or start with sign-in`,
      );
    if (fn.authLevel !== 'anonymous' && options.signIn)
      throw new Error(`${fn.name} needs a key behind sign-in: register functionsFor(true)`);
  }
  const auth = options.signIn ? new SignInStandIn() : undefined;
  const isFunctionKey = keyChecker(options.functionKey);
  const timers = options.functions.filter((f) => f.kind === 'timer');
  const running = new Map<string, Promise<void>>();

  const runTimer = async (name: string): Promise<void> => {
    const fn = timers.find((t) => t.name === name);
    if (!fn || fn.kind !== 'timer') throw new Error(`no timer function "${name}"`);
    // Like the Functions host: a timer does not fire again while its previous run goes on.
    const inFlight = running.get(name);
    if (inFlight) return inFlight;
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: '', next: '', lastUpdated: '' },
    };
    const run = fn
      .handler(timer, contextFor(name, 'timerTrigger', options.log))
      .catch((error: unknown) =>
        options.log.error('timer function failed', {
          function: name,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => running.delete(name));
    running.set(name, run);
    return run;
  };

  const jobs =
    options.timers === false
      ? []
      : timers.map(
          (fn) =>
            new Cron(
              options.schedule(fn.kind === 'timer' ? fn.scheduleSetting : ''),
              { timezone: 'UTC', protect: true },
              () => void runTimer(fn.name),
            ),
        );

  const queueTrigger = options.queues
    ? startQueueFunctions({ functions: options.functions, ...options.queues, log: options.log })
    : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    // App Service Authentication sits in front of everything: its own endpoints, and the headers it owns.
    const session = auth?.strip(req);
    if (auth && url.pathname.startsWith('/.auth/')) {
      auth.endpoint(url, req, res);
      return;
    }
    const matches = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m);
    if (matches.length === 0) {
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route ${url.pathname}` } }));
      return;
    }
    const match = matches.find((x) => x.r.fn.methods.includes(method as 'GET'));
    if (!match?.m) {
      res.writeHead(405, {
        'Content-Type': 'application/json; charset=utf-8',
        Allow: matches.flatMap((x) => x.r.fn.methods).join(', '),
      });
      res.end(
        JSON.stringify({
          error: {
            code: 'MethodNotAllowed',
            message: `${method} is not allowed on ${url.pathname}`,
          },
        }),
      );
      return;
    }
    const params: Record<string, string> = {};
    try {
      match.r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match.m?.[i + 1] ?? '');
      });
    } catch {
      // A malformed %-sequence is the client's mistake, not a server error.
      res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: { code: 'InvalidPath', message: 'the path holds malformed percent-encoding' },
        }),
      );
      return;
    }
    if (auth && match.r.fn.access === 'people' && !session) {
      auth.unauthenticated(url, req, res);
      return;
    }
    if (match.r.fn.authLevel !== 'anonymous') {
      const given = url.searchParams.get('code') ?? req.headers[FUNCTION_KEY_HEADER];
      if (typeof given !== 'string' || !isFunctionKey(given)) {
        // The Functions host answers a missing or wrong key with a bare 401.
        res.writeHead(401, { 'Content-Length': '0' });
        res.end();
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    if (session) Object.assign(headers, auth?.headersFor(session));
    // No declared body (no Content-Length, no chunked encoding): nothing to read, and no stream to drain.
    const declaresBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const bytes = declaresBody
      ? await readBody(req, options.maxBodyBytes ?? 1_048_576)
      : Buffer.alloc(0);
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      params,
      ...(bytes.length > 0 ? { body: { bytes } } : {}),
    });
    const result: HttpResponseInit | HttpResponse = await match.r.fn.handler(
      request,
      contextFor(match.r.fn.name, 'httpTrigger', options.log),
    );
    // As the worker does: whatever the handler returns becomes an HttpResponse.
    const response = result instanceof HttpResponse ? result : new HttpResponse(result);
    res.statusCode = response.status;
    response.headers.forEach((value, key) => res.setHeader(key, value));
    res.end(Buffer.from(await response.arrayBuffer()));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = (error as { status?: number }).status ?? 500;
      options.log.error('request failed', {
        url: req.url,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent)
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: {
            code: status === 413 ? 'PayloadTooLarge' : 'InternalError',
            message:
              status === 413 ? 'request body too large' : 'the request failed; see the host log',
          },
        }),
      );
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host === '0.0.0.0' ? 'localhost' : (options.host ?? 'localhost')}:${port}`,
    runTimer,
    queueTrigger,
    close: async () => {
      for (const job of jobs) job.stop();
      await queueTrigger?.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(running.values());
    },
  };
}
