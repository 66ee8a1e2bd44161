// Local Azure Communication Services Email emulator: the emails:send long-running operation over HTTPS, writing .eml files.
import { createHash, randomBytes, randomUUID, type Hash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { createSelfSignedCert } from '../../tls.js';
import { formatEml } from './eml.js';
import { FaultInjector, type EmailFaultRule, type EmailFaults } from './faults.js';
import { validateEmailMessage, type EmailMessage } from './message.js';
import { isAzureManagedSender } from '../../../src/config.js';
import {
  AZURE_MANAGED_DOMAIN_RATE_LIMIT,
  DEFAULT_RATE_LIMIT,
  SlidingWindowLimiter,
  type EmailRateLimit,
} from './rateLimit.js';
import { verifyAuthorization } from './signature.js';
import { checkBearer } from '../../identity/jwt.js';

export type { EmailFaultRule } from './faults.js';

export interface EmailEmulatorOptions {
  /** Folder for .eml files, created if absent. */
  outbox: string;
  /** Base64 access key for the HMAC check; default: generated. */
  accessKey?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** GETs answering Running before Succeeded; default 1. */
  pollsUntilDone?: number;
  /**
   * Default: the service's, by the sender's domain (30 per minute and 100 per hour; 5 and 10 for an Azure-managed
   * *.azurecomm.net sender). Given, it applies to every sender; 0 turns a window off.
   */
  rateLimit?: EmailRateLimit;
  faults?: EmailFaults;
  /** One structured line per request. */
  log?: (line: object) => void;
  /** The emulator's clock (ms since the epoch); default Date.now. Tests move it past the windows. */
  clock?: () => number;
  /**
   * Bearer tokens must be signed by this issuer (the local managed-identity endpoint, dev/identity), for the
   * Communication Services audience and unexpired, else 401. Without it any bearer token passes.
   */
  identity?: { publicKey: string };
}

/** The audience of Communication Services tokens (the SDK asks for https://communication.azure.com//.default). */
export const COMMUNICATION_AUDIENCES = [
  'https://communication.azure.com',
  'https://communication.azure.com/',
] as const;

/**
 * How long the service recognises a repeated send: "We only track requests for a specified duration (currently,
 * the tracked duration is 5 minutes)" — Azure Communication Services, "Repeatable requests"
 * (learn.microsoft.com/rest/api/communication/repeatable-requests). Past it a repeat is not recognised.
 */
export const REPEATABILITY_WINDOW_MS = 5 * 60_000;

export interface SentMessage {
  operationId: string;
  /** Absolute path of the .eml file. */
  file: string;
  senderAddress: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  plainText?: string;
  html?: string;
  headers: Record<string, string>;
  acceptedAt: string;
}

export interface EmailEmulatorStats {
  /** Sends answered 202 with a new operation (including ones a fault makes fail later). */
  accepted: number;
  /** Sends refused with an error status other than 429. */
  rejected: number;
  /** Sends answered 429, by the rate limit or a fault. */
  throttled: number;
  /** Sends repeating a known `operation-id`, answered 202 without a new message. */
  duplicates: number;
}

export interface RunningEmailEmulator {
  /** `https://127.0.0.1:PORT/` */
  endpoint: string;
  /** `endpoint=...;accesskey=...`, as the EmailClient constructor takes it. */
  connectionString: string;
  /** PEM of the self-signed certificate, to pass as the client's trusted CA. */
  ca: string;
  accessKey: string;
  sent(): ReadonlyArray<SentMessage>;
  stats(): EmailEmulatorStats;
  setFaults(f: { rules?: EmailFaultRule[] }): void;
  close(): Promise<void>;
}

/** API versions the SDK may send: the current default and the first stable one. */
export const SUPPORTED_API_VERSIONS: readonly string[] = ['2023-03-31', '2025-09-01'];
/** The service's cap on one request, attachments included. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEND_PATH = '/emails:send';
const OPERATION_PATH = /^\/emails\/operations\/([^/]+)$/;

interface Operation {
  id: string;
  apiVersion: string;
  polls: number;
  /** When the send was accepted (emulator clock): repeats are recognised for REPEATABILITY_WINDOW_MS. */
  acceptedAt: number;
  failure?: { code: string; message: string };
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

function errorReply(
  status: number,
  code: string,
  message: string,
  extra: { target?: string; retryAfter?: number } = {},
): Reply {
  return {
    status,
    headers: {
      'x-ms-error-code': code,
      ...(extra.retryAfter !== undefined ? { 'retry-after': String(extra.retryAfter) } : {}),
    },
    body: { error: { code, message, ...(extra.target ? { target: extra.target } : {}) } },
  };
}

const FAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Denied',
  403: 'Forbidden',
  404: 'NotFound',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Reads the whole body, hashing all of it (the signature covers every byte) but keeping at most `limit` bytes. */
async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ body: Buffer; sha256: string; tooLarge: boolean }> {
  const hash: Hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), sha256: hash.digest('base64'), tooLarge: size > limit };
}

/** Keeps file names portable and free of path separators. */
function sanitize(value: string): string {
  return value.replace(/[^a-zA-Z0-9._@-]/g, '_').slice(0, 100);
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  });
  res.end(body);
}

export async function startEmailEmulator(
  options: EmailEmulatorOptions,
): Promise<RunningEmailEmulator> {
  const outbox = resolve(options.outbox);
  await mkdir(outbox, { recursive: true });
  const accessKey = options.accessKey ?? randomBytes(64).toString('base64');
  const pollsUntilDone = Math.max(0, options.pollsUntilDone ?? 1);
  const limiter = new SlidingWindowLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const managedDomainLimiter = options.rateLimit
    ? limiter
    : new SlidingWindowLimiter(AZURE_MANAGED_DOMAIN_RATE_LIMIT);
  const limiterFor = (sender: string) =>
    isAzureManagedSender(sender) ? managedDomainLimiter : limiter;
  const faults = new FaultInjector(options.faults);
  const log = options.log ?? (() => undefined);
  const listenHost = options.host ?? '127.0.0.1';
  // A wildcard bind is reached through loopback, which the default certificate already covers.
  const certHosts = new Set(['localhost', '127.0.0.1']);
  if (listenHost !== '0.0.0.0' && listenHost !== '::') certHosts.add(listenHost);
  const tls = await createSelfSignedCert({ hosts: [...certHosts] });

  const operations = new Map<string, Operation>();
  const clock = options.clock ?? Date.now;
  const sent: SentMessage[] = [];
  const stats: EmailEmulatorStats = { accepted: 0, rejected: 0, throttled: 0, duplicates: 0 };
  let endpoint = '';

  function operationLocation(op: Operation): string {
    return `${endpoint}emails/operations/${encodeURIComponent(op.id)}?api-version=${encodeURIComponent(op.apiVersion)}`;
  }

  function accepted(op: Operation, status: string): Reply {
    return {
      status: 202,
      headers: {
        'operation-location': operationLocation(op),
        'operation-id': op.id,
        'retry-after': '0',
      },
      body: { id: op.id, status },
    };
  }

  function currentStatus(op: Operation): string {
    if (op.polls < pollsUntilDone) return 'Running';
    return op.failure ? 'Failed' : 'Succeeded';
  }

  async function writeOutbox(
    message: EmailMessage,
    operationId: string,
    acceptedAt: Date,
  ): Promise<string> {
    const first = message.recipients.to[0] ?? message.recipients.cc[0] ?? message.recipients.bcc[0];
    const name = `${acceptedAt.toISOString().replace(/:/g, '-')}-${sanitize(first?.address ?? 'nobody')}-${sanitize(operationId)}.eml`;
    const file = join(outbox, name);
    // Written under a dot-name that does not end in .eml, then renamed: a watcher never sees half a message.
    const temp = join(outbox, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, formatEml({ message, operationId, acceptedAt }), 'utf8');
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return file;
  }

  async function handleSend(
    req: IncomingMessage,
    body: Buffer,
    tooLarge: boolean,
    apiVersion: string,
  ): Promise<Reply> {
    if (tooLarge)
      throw new ReplyError(
        errorReply(
          413,
          'RequestEntityTooLarge',
          `The request is larger than ${MAX_REQUEST_BYTES} bytes.`,
        ),
      );

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ReplyError(
        errorReply(400, 'InvalidRequest', 'The request body is not valid JSON.', {
          target: 'body',
        }),
      );
    }
    const validation = validateEmailMessage(json);
    if (!validation.ok)
      throw new ReplyError(
        errorReply(400, validation.code, validation.message, { target: validation.target }),
      );
    const message = validation.message;

    const requestedId = req.headers['operation-id'];
    if (Array.isArray(requestedId) || (requestedId !== undefined && !UUID.test(requestedId))) {
      // The spec types Operation-Id as a uuid; rejecting other values keeps callers from relying on leniency.
      throw new ReplyError(
        errorReply(400, 'InvalidRequest', "The 'operation-id' header must be a GUID.", {
          target: 'operation-id',
        }),
      );
    }
    const now = clock();
    // Repeatability-First-Sent older than the tracked window: "potentially unsafe to re-execute", 412.
    const firstSent = req.headers['repeatability-first-sent'];
    if (typeof firstSent === 'string') {
      const at = Date.parse(firstSent);
      if (Number.isNaN(at))
        throw new ReplyError(
          errorReply(400, 'InvalidRequest', 'Repeatability-First-Sent is not an IMF-fixdate.', {
            target: 'repeatability-first-sent',
          }),
        );
      if (now - at > REPEATABILITY_WINDOW_MS)
        throw new ReplyError(
          errorReply(
            412,
            'PreconditionFailed',
            'The Repeatability-First-Sent header is not within the 5 minute window.',
            { target: 'repeatability-first-sent' },
          ),
        );
    }
    const known = requestedId ? operations.get(requestedId.toLowerCase()) : undefined;
    if (known && now - known.acceptedAt <= REPEATABILITY_WINDOW_MS) {
      stats.duplicates += 1;
      return accepted(known, currentStatus(known));
    }
    // Past the window the service no longer recognises the repeat: it is a new send, and a second message.

    // Limits first: a fault rule's `times` should only be spent on a send that would otherwise go through.
    const senderLimiter = limiterFor(message.senderAddress);
    const retryAfter = senderLimiter.retryAfterSeconds(now);
    if (retryAfter > 0) {
      throw new ReplyError(
        errorReply(
          429,
          'TooManyRequests',
          `The e-mail sending limit was exceeded; retry after ${retryAfter} seconds.`,
          { retryAfter },
        ),
      );
    }

    const { to, cc, bcc } = message.recipients;
    const fault = faults.match(
      [...to, ...cc, ...bcc].map((r) => r.address),
      stats.accepted,
    );
    if (fault && !fault.failOperation) {
      const code = FAULT_CODES[fault.status] ?? 'InjectedFault';
      throw new ReplyError(
        errorReply(fault.status, code, `Injected fault: HTTP ${fault.status}.`, {
          ...(fault.retryAfterSeconds !== undefined ? { retryAfter: fault.retryAfterSeconds } : {}),
        }),
      );
    }

    const id = requestedId ?? randomUUID();
    const op: Operation = {
      id,
      apiVersion,
      polls: 0,
      acceptedAt: now,
      ...(fault?.failOperation
        ? {
            failure: {
              code: 'EmailDropped',
              message: 'Email was dropped after several attempts to deliver.',
            },
          }
        : {}),
    };
    // Registered before the file is written so a concurrent retry with the same id is a duplicate, not a second message.
    operations.set(id.toLowerCase(), op);
    senderLimiter.record(now);
    if (!op.failure) {
      const acceptedAt = new Date(now);
      let file: string;
      try {
        file = await writeOutbox(message, id, acceptedAt);
      } catch (error) {
        operations.delete(id.toLowerCase());
        throw error;
      }
      sent.push({
        operationId: id,
        file,
        senderAddress: message.senderAddress,
        to: to.map((r) => r.address),
        cc: cc.map((r) => r.address),
        bcc: bcc.map((r) => r.address),
        subject: message.content.subject,
        ...(message.content.plainText !== undefined
          ? { plainText: message.content.plainText }
          : {}),
        ...(message.content.html !== undefined ? { html: message.content.html } : {}),
        headers: { ...message.headers },
        acceptedAt: acceptedAt.toISOString(),
      });
    }
    stats.accepted += 1;
    return accepted(op, 'Running');
  }

  function handleGetOperation(rawId: string): Reply {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      throw new ReplyError(
        errorReply(400, 'InvalidRequest', 'The operation id is not valid.', {
          target: 'operationId',
        }),
      );
    }
    const op = operations.get(id.toLowerCase());
    if (!op)
      throw new ReplyError(
        errorReply(404, 'NotFound', `No operation with id ${id}.`, { target: 'operationId' }),
      );
    const status = currentStatus(op);
    op.polls += 1;
    if (status === 'Running') {
      // 0 rather than a real delay: the SDK ignores 0 and keeps the caller's updateIntervalInMs.
      return { status: 200, headers: { 'retry-after': '0' }, body: { id: op.id, status } };
    }
    return {
      status: 200,
      body: { id: op.id, status, ...(op.failure ? { error: op.failure } : {}) },
    };
  }

  async function handle(
    req: IncomingMessage,
  ): Promise<{ reply: Reply; isSend: boolean; operationId?: string }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    // Tolerate `//emails:send` from an endpoint with a trailing slash; routing only, the signature uses the raw path.
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const operationMatch = OPERATION_PATH.exec(path);
    const isSend = path === SEND_PATH;
    const { body, sha256, tooLarge } = await readBody(req, MAX_REQUEST_BYTES);

    const auth = verifyAuthorization(
      { method, url: req.url ?? '/', headers: req.headers, contentSha256: sha256 },
      accessKey,
    );
    if (!auth.ok) return { reply: errorReply(401, 'Denied', auth.message), isSend };
    if (auth.scheme === 'bearer' && options.identity) {
      const check = checkBearer(req.headers.authorization, {
        publicKey: options.identity.publicKey,
        audiences: COMMUNICATION_AUDIENCES,
      });
      // The service's error shape (CommunicationErrorResponse: { error: { code, message } }, in the Email
      // data-plane spec). Microsoft does not publish the codes it uses for a refused token: these are ARM's.
      if (!check.ok) {
        const code =
          check.reason === 'expired'
            ? 'ExpiredAuthenticationToken'
            : check.reason === 'audience'
              ? 'InvalidAuthenticationTokenAudience'
              : 'InvalidAuthenticationToken';
        return { reply: errorReply(401, code, `Denied: ${check.message}.`), isSend };
      }
    }

    if (!isSend && !operationMatch)
      return { reply: errorReply(404, 'NotFound', `No route for ${path}.`), isSend };
    if ((isSend && method !== 'POST') || (operationMatch && method !== 'GET')) {
      return {
        reply: errorReply(405, 'MethodNotAllowed', `${method} is not allowed on ${path}.`),
        isSend,
      };
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      return {
        reply: errorReply(
          400,
          'MissingApiVersionParameter',
          "The 'api-version' query parameter is required.",
          { target: 'api-version' },
        ),
        isSend,
      };
    }
    if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) {
      return {
        reply: errorReply(
          400,
          'UnsupportedApiVersion',
          `api-version ${apiVersion} is not one of ${SUPPORTED_API_VERSIONS.join(', ')}.`,
          {
            target: 'api-version',
          },
        ),
        isSend,
      };
    }
    try {
      if (isSend) {
        const reply = await handleSend(req, body, tooLarge, apiVersion);
        return { reply, isSend, operationId: reply.headers?.['operation-id'] ?? '' };
      }
      return { reply: handleGetOperation(operationMatch?.[1] ?? ''), isSend };
    } catch (error) {
      if (error instanceof ReplyError) return { reply: error.reply, isSend };
      throw error;
    }
  }

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const started = Date.now();
    handle(req)
      .catch((error: unknown) => ({
        reply: errorReply(
          500,
          'InternalServerError',
          error instanceof Error ? error.message : String(error),
        ),
        isSend: false,
        operationId: undefined,
      }))
      .then(({ reply, isSend, operationId }) => {
        if (isSend && reply.status === 429) stats.throttled += 1;
        else if (isSend && reply.status >= 400) stats.rejected += 1;
        log({
          emulator: 'email',
          time: new Date(started).toISOString(),
          method: req.method,
          url: req.url,
          status: reply.status,
          ...(operationId ? { operationId } : {}),
          ...(reply.status >= 400
            ? { code: (reply.body as { error?: { code?: string } }).error?.code }
            : {}),
          ms: Date.now() - started,
        });
        if (!res.headersSent) send(res, reply);
      })
      .catch(() => res.destroy());
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, listenHost, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  // The endpoint names the host as given (the certificate covers it), or loopback for a wildcard bind.
  const host =
    listenHost === '0.0.0.0' || listenHost === '::'
      ? '127.0.0.1'
      : isIPv6(listenHost)
        ? `[${listenHost}]`
        : listenHost;
  endpoint = `https://${host}:${address.port}/`;

  return {
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    ca: tls.cert,
    accessKey,
    sent: () => [...sent],
    stats: () => ({ ...stats }),
    setFaults: (f) => faults.set(f),
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        // The SDK keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
