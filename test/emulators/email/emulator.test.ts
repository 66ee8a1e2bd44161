// The e-mail emulator driven by the real @azure/communication-email SDK, plus raw HTTPS calls for what the SDK never sends.
import { EmailClient, type EmailMessage } from '@azure/communication-email';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { RestError } from '@azure/core-rest-pipeline';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseEml,
  startEmailEmulator,
  type EmailEmulatorOptions,
  type RunningEmailEmulator,
} from '../../../dev/emulators/email/index.js';

let outbox: string;
let running: RunningEmailEmulator[] = [];

beforeEach(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'email-emulator-'));
});

afterEach(async () => {
  await Promise.all(running.map((e) => e.close()));
  running = [];
  await rm(outbox, { recursive: true, force: true });
});

async function start(options: Partial<EmailEmulatorOptions> = {}): Promise<RunningEmailEmulator> {
  const emulator = await startEmailEmulator({ outbox, ...options });
  running.push(emulator);
  return emulator;
}

/** SDK retries off so a 429 or 5xx reaches the test at once instead of after back-off. */
function clientFor(
  emulator: RunningEmailEmulator,
  connectionString = emulator.connectionString,
): EmailClient {
  return new EmailClient(connectionString, {
    tlsOptions: { ca: emulator.ca },
    retryOptions: { maxRetries: 0 },
  });
}

function digest(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    senderAddress: 'DoNotReply@readiness.example',
    content: {
      subject: 'Räumung: 3 classic resources retire before 2026-09-30 ✓',
      plainText: `Hello owner,\nthree resources need migrating.\n${'A long line that must be wrapped by quoted-printable soft breaks. '.repeat(3)}`,
      html: '<p>Hello <b>owner</b> — three resources need migrating.</p>',
    },
    recipients: {
      to: [{ address: 'owner@contoso.example', displayName: 'Owner, Team "A"' }],
      cc: [{ address: 'lead@contoso.example', displayName: 'Léa Lead' }],
    },
    headers: { 'X-Readiness-Digest': 'digest-2025-11-26' },
    ...overrides,
  };
}

async function emlFiles(): Promise<string[]> {
  return (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
}

async function restError(promise: Promise<unknown>): Promise<RestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestError);
  return error as RestError;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { error?: { code?: string; message?: string } } & Record<string, unknown>;
}

function raw(
  emulator: RunningEmailEmulator,
  method: string,
  path: string,
  body: string | Buffer = '',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const url = new URL(path, emulator.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, ca: emulator.ca, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: text ? JSON.parse(text) : {},
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs like @azure/communication-common, written out independently of the emulator's verifier. */
function hmacHeaders(
  emulator: RunningEmailEmulator,
  method: string,
  path: string,
  body: string | Buffer,
  date: Date,
  key = emulator.accessKey,
): Record<string, string> {
  const url = new URL(path, emulator.endpoint);
  const contentHash = createHash('sha256').update(body).digest('base64');
  const utc = date.toUTCString();
  const toSign = `${method}\n${url.pathname}${url.search}\n${utc};${url.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(toSign)
    .digest('base64');
  return {
    'x-ms-date': utc,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

const SEND = '/emails:send?api-version=2025-09-01';

describe('email emulator through the EmailClient SDK', () => {
  it('accepts a send, polls Running then Succeeded, and writes one .eml with subject, text and html', async () => {
    const log: object[] = [];
    const emulator = await start({ log: (line) => log.push(line) });
    const message = digest();

    const poller = await clientFor(emulator).beginSend(message);
    const result = await poller.pollUntilDone();

    expect(result.status).toBe('Succeeded');
    const [sent, ...more] = emulator.sent();
    expect(more).toEqual([]);
    expect(sent).toMatchObject({
      operationId: result.id,
      senderAddress: 'DoNotReply@readiness.example',
      to: ['owner@contoso.example'],
      cc: ['lead@contoso.example'],
      subject: message.content.subject,
      headers: { 'X-Readiness-Digest': 'digest-2025-11-26' },
    });
    expect(log.map((l) => (l as { status: number }).status)).toEqual([202, 200, 200]);
    expect(emulator.stats()).toEqual({ accepted: 1, rejected: 0, throttled: 0, duplicates: 0 });

    // Exactly one file, no temp file left behind, named <time>-<first recipient>-<operation id>.eml.
    expect(await readdir(outbox)).toEqual([basename(sent!.file)]);
    expect(basename(sent!.file)).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z-owner@contoso\\.example-${result.id}\\.eml$`,
      ),
    );

    const text = await readFile(sent!.file, 'utf8');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF line ends only
    expect(text.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(text).toMatch(/^Subject: =\?UTF-8\?B\?/m); // non-ASCII subject as RFC 2047 encoded-words
    expect(text).toContain('MIME-Version: 1.0');
    expect(text).toMatch(/^Content-Type: multipart\/alternative; boundary="[^"]+"$/m);
    expect(text).toContain(`Message-ID: <${result.id}@`);
    expect(text).toContain('To: "Owner, Team \\"A\\"" <owner@contoso.example>');

    const eml = parseEml(text);
    expect(eml.subject).toBe(message.content.subject);
    expect(eml.from).toBe('DoNotReply@readiness.example');
    expect(eml.to).toEqual(['owner@contoso.example']);
    expect(eml.headers['cc']).toBe('Léa Lead <lead@contoso.example>');
    expect(eml.headers['x-readiness-digest']).toBe('digest-2025-11-26');
    expect(eml.text).toBe(message.content.plainText?.replace(/\n/g, '\r\n'));
    expect(eml.html).toBe(message.content.html);
    expect(eml.root.parts.map((p) => p.headers['content-type'])).toEqual([
      'text/plain; charset=UTF-8',
      'text/html; charset=UTF-8',
    ]);
    expect(Date.parse(eml.headers['date'] ?? '')).toBe(
      Math.floor(Date.parse(sent!.acceptedAt) / 1000) * 1000,
    );
  });

  it('answers Running for the first pollsUntilDone polls', async () => {
    const statuses: number[] = [];
    const emulator = await start({
      pollsUntilDone: 3,
      log: (line) => statuses.push((line as { status: number }).status),
    });
    const seen: string[] = [];

    const poller = await clientFor(emulator).beginSend(digest(), { updateIntervalInMs: 1 });
    poller.onProgress((state) => seen.push(state.status));
    const result = await poller.pollUntilDone();

    expect(result.status).toBe('Succeeded');
    expect(statuses).toEqual([202, 200, 200, 200, 200]);
    expect(seen).toEqual(['running', 'running', 'succeeded']);
  });

  it('treats a repeated operationId as the same operation and writes nothing new', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    const operationId = randomUUID();

    const first = await (await client.beginSend(digest(), { operationId })).pollUntilDone();
    const again = await (await client.beginSend(digest(), { operationId })).pollUntilDone();

    expect(first).toMatchObject({ id: operationId, status: 'Succeeded' });
    expect(again).toMatchObject({ id: operationId, status: 'Succeeded' });
    expect(await emlFiles()).toHaveLength(1);
    expect(emulator.sent()).toHaveLength(1);
    expect(emulator.stats()).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('rejects a connection string with the wrong access key with 401 Denied', async () => {
    const emulator = await start();
    const wrongKey = randomBytes(64).toString('base64');
    const client = clientFor(emulator, `endpoint=${emulator.endpoint};accesskey=${wrongKey}`);

    const error = await restError(client.beginSend(digest()));

    expect(error.statusCode).toBe(401);
    expect(error.code).toBe('Denied');
    expect(error.message).toMatch(/signature/i);
    expect(await emlFiles()).toEqual([]);
    expect(emulator.stats()).toMatchObject({ accepted: 0, rejected: 1 });
  });

  it('answers 400 naming recipients when a message has 51 recipients, and accepts 50', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    const people = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ address: `owner${i}@contoso.example` }));

    const error = await restError(
      client.beginSend(digest({ recipients: { to: people(30), cc: people(20), bcc: people(1) } })),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('TooManyRecipients');
    expect(error.message).toContain('recipients');

    const ok = await (
      await client.beginSend(
        digest({ recipients: { to: people(30), cc: people(10), bcc: people(10) } }),
      )
    ).pollUntilDone();
    expect(ok.status).toBe('Succeeded');
    expect(emulator.sent()[0]?.bcc).toHaveLength(10);
    expect(await emlFiles()).toHaveLength(1);
  });

  it('throttles with 429 and Retry-After once the per-minute limit is used up', async () => {
    const emulator = await start({ rateLimit: { perMinute: 2, perHour: 0 } });
    const client = clientFor(emulator);
    await (await client.beginSend(digest())).pollUntilDone();
    await (await client.beginSend(digest())).pollUntilDone();

    const error = await restError(client.beginSend(digest()));

    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('TooManyRequests');
    const retryAfter = Number(error.response?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(emulator.stats()).toMatchObject({ accepted: 2, throttled: 1 });
    expect(await emlFiles()).toHaveLength(2);
  });

  it("throttles an Azure-managed (*.azurecomm.net) sender at that domain's limit, 5 a minute, by default", async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    const managed = digest({
      senderAddress: 'DoNotReply@0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.azurecomm.net',
    });
    for (let i = 0; i < 5; i++) await (await client.beginSend(managed)).pollUntilDone();

    const error = await restError(client.beginSend(managed));

    expect(error.statusCode).toBe(429);
    expect(Number(error.response?.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    // A custom domain's sender still has the default 30 a minute.
    expect((await (await client.beginSend(digest())).pollUntilDone()).status).toBe('Succeeded');
    expect(emulator.stats()).toMatchObject({ accepted: 6, throttled: 1 });
  });

  it('lets a failOperation fault accept the send but end the operation Failed, once', async () => {
    const emulator = await start({
      faults: {
        rules: [
          {
            when: { recipient: 'Bounce@Contoso.example' },
            respond: { status: 202, failOperation: true },
            times: 1,
          },
        ],
      },
    });
    const client = clientFor(emulator);
    const bouncing = digest({ recipients: { to: [{ address: 'bounce@contoso.example' }] } });

    const poller = await client.beginSend(bouncing);
    await expect(poller.pollUntilDone()).rejects.toThrow(/failed.*EmailDropped/);
    expect(poller.getOperationState().status).toBe('failed');
    expect(await emlFiles()).toEqual([]);

    // `times: 1` retired the rule: the same recipient goes through now.
    const retry = await (await client.beginSend(bouncing)).pollUntilDone();
    expect(retry.status).toBe('Succeeded');
    expect(emulator.sent().map((s) => s.to)).toEqual([['bounce@contoso.example']]);
  });

  it('injects a 503 with Retry-After after N accepted messages, and setFaults replaces the rules', async () => {
    const emulator = await start({
      faults: {
        rules: [{ when: { afterMessages: 1 }, respond: { status: 503, retryAfterSeconds: 7 } }],
      },
    });
    const client = clientFor(emulator);
    await (await client.beginSend(digest())).pollUntilDone();

    const error = await restError(client.beginSend(digest()));
    expect(error.statusCode).toBe(503);
    expect(error.response?.headers.get('retry-after')).toBe('7');

    emulator.setFaults({ rules: [] });
    expect((await (await client.beginSend(digest())).pollUntilDone()).status).toBe('Succeeded');
    expect(emulator.stats()).toMatchObject({ accepted: 2, rejected: 1 });
  });

  it('accepts a bearer token from a TokenCredential (the managed identity path)', async () => {
    const emulator = await start();
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(scope);
        return { token: 'static-test-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const client = new EmailClient(emulator.endpoint, credential, {
      tlsOptions: { ca: emulator.ca },
      retryOptions: { maxRetries: 0 },
    });

    const result = await (await client.beginSend(digest())).pollUntilDone();

    expect(result.status).toBe('Succeeded');
    expect(scopes.flat()).toContain('https://communication.azure.com//.default');
    expect(await emlFiles()).toHaveLength(1);
  });
});

describe('email emulator protocol edges (raw HTTPS)', () => {
  it('answers 401 without an Authorization header', async () => {
    const emulator = await start();
    const res = await raw(emulator, 'POST', SEND, JSON.stringify(digest()));
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe('Denied');
  });

  it('answers 401 for a correctly signed request dated 16 minutes ago, and 202 for one dated now', async () => {
    const emulator = await start();
    const body = JSON.stringify(digest());
    const stale = await raw(
      emulator,
      'POST',
      SEND,
      body,
      hmacHeaders(emulator, 'POST', SEND, body, new Date(Date.now() - 16 * 60_000)),
    );
    expect(stale.status).toBe(401);
    expect(stale.json.error?.message).toMatch(/15 minutes/);

    const fresh = await raw(
      emulator,
      'POST',
      SEND,
      body,
      hmacHeaders(emulator, 'POST', SEND, body, new Date()),
    );
    expect(fresh.status).toBe(202);
    expect(fresh.json).toMatchObject({ status: 'Running' });
    expect(fresh.headers['operation-location']).toBe(
      `${emulator.endpoint}emails/operations/${fresh.json.id as string}?api-version=2025-09-01`,
    );
    expect(fresh.headers['operation-id']).toBe(fresh.json.id);
    expect(fresh.headers['retry-after']).toBe('0');
  });

  it('answers 401 when the body was changed after signing', async () => {
    const emulator = await start();
    const body = JSON.stringify(digest());
    const headers = hmacHeaders(emulator, 'POST', SEND, body, new Date());
    const res = await raw(emulator, 'POST', SEND, body.replace('owner@', 'attacker@'), headers);
    expect(res.status).toBe(401);
    expect(res.json.error?.message).toMatch(/x-ms-content-sha256/);
  });

  it('answers 404 for an unknown operation and 400 without api-version', async () => {
    const emulator = await start();
    const auth = { authorization: 'Bearer any' };
    const unknown = await raw(
      emulator,
      'GET',
      `/emails/operations/${randomUUID()}?api-version=2025-09-01`,
      '',
      auth,
    );
    expect(unknown.status).toBe(404);
    const noVersion = await raw(emulator, 'POST', '/emails:send', JSON.stringify(digest()), auth);
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.error?.code).toBe('MissingApiVersionParameter');
  });

  it('answers 413 for a body over 10 MB and 400 naming the field for a missing subject', async () => {
    const emulator = await start();
    const auth = { authorization: 'Bearer any' };
    const huge = JSON.stringify(
      digest({ content: { subject: 'big', plainText: 'x'.repeat(10 * 1024 * 1024) } }),
    );
    expect((await raw(emulator, 'POST', SEND, huge, auth)).status).toBe(413);

    const noSubject = JSON.stringify({ ...digest(), content: { plainText: 'hi' } });
    const res = await raw(emulator, 'POST', SEND, noSubject, auth);
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toContain('content.subject');
    expect(await emlFiles()).toEqual([]);
  });

  it('answers 400 for an operation-id that is not a GUID', async () => {
    const emulator = await start();
    const res = await raw(emulator, 'POST', SEND, JSON.stringify(digest()), {
      authorization: 'Bearer any',
      'operation-id': 'digest-42',
    });
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toContain('operation-id');
  });
});
