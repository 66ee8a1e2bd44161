// A small local stand-in for the Functions host: the same registered functions, timers on their schedules, HTTP under /api.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Cron } from 'croner';
import type { Timer } from '@azure/functions';
import type { FunctionRegistration, HttpFunction } from '../src/functions/registry.js';
import type { ContextLike, HttpRequestLike } from '../src/functions/http.js';
import type { Logger } from '../src/app/ports.js';

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
}

export interface RunningHost {
  readonly url: string;
  /** Runs a timer function now, as its schedule would. */
  runTimer(name: string): Promise<void>;
  close(): Promise<void>;
}

function contextFor(name: string, log: Logger): ContextLike {
  const invocationId = randomUUID();
  return {
    invocationId,
    log: (...args) => log.info(args.map(String).join(' '), { function: name, invocationId }),
    error: (...args) => log.error(args.map(String).join(' '), { function: name, invocationId }),
  };
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

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
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
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalHost(options: LocalHostOptions): Promise<RunningHost> {
  const routes = options.functions
    .filter((f): f is HttpFunction => f.kind === 'http')
    .map((fn) => ({ fn, ...compileRoute(fn.route) }));
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
      .handler(timer, contextFor(name, options.log))
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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
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
    let bodyText: Promise<string> | undefined;
    const request: HttpRequestLike = {
      method,
      url: url.toString(),
      query: url.searchParams,
      params,
      headers: {
        get: (name) => {
          const v = req.headers[name.toLowerCase()];
          return Array.isArray(v) ? v.join(', ') : (v ?? null);
        },
      },
      text: () => (bodyText ??= readBody(req, options.maxBodyBytes ?? 1_048_576)),
    };
    const response = await match.r.fn.handler(request, contextFor(match.r.fn.name, options.log));
    const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
    const body = response.body;
    res.statusCode = response.status ?? 200;
    headers.forEach((value, key) => res.setHeader(key, value));
    if (body === undefined || body === null) res.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) res.end(body);
    else res.end(String(body));
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
    close: async () => {
      for (const job of jobs) job.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(running.values());
    },
  };
}
