// The local host hands handlers the Functions host's own objects and enforces function keys as Azure does.
import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type RunningHost } from '../../dev/host.js';
import { silentLogger } from '../../src/adapters/logger.js';
import type { FunctionRegistration } from '../../src/functions/registry.js';

const KEY = 'local-test-function-key';
const seen: { request: unknown; context: unknown; body: string }[] = [];

const FUNCTIONS: FunctionRegistration[] = [
  {
    kind: 'http',
    name: 'echo',
    route: 'echo/{id}',
    methods: ['POST'],
    authLevel: 'function',
    access: 'api',
    handler: async (request, context) => {
      const body = await request.text();
      seen.push({ request, context, body });
      // jsonBody is an HttpResponseInit field only HttpResponse turns into a body.
      return {
        status: 201,
        headers: { 'X-Echo': 'yes' },
        jsonBody: { id: request.params.id, q: request.query.get('q'), body },
      } as never;
    },
  },
  {
    kind: 'http',
    name: 'secret',
    route: 'secret',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: async () => new HttpResponse({ status: 200, body: 'the secret' }) as never,
  },
  {
    kind: 'http',
    name: 'open',
    route: 'open',
    methods: ['GET'],
    authLevel: 'anonymous',
    access: 'public',
    handler: async () => ({ status: 200, body: 'open' }),
  },
];

let host: RunningHost;
beforeAll(async () => {
  host = await startLocalHost({
    functions: FUNCTIONS,
    schedule: () => '0 0 0 1 1 *',
    port: 0,
    log: silentLogger,
    timers: false,
    functionKey: KEY,
  });
});
afterAll(async () => {
  await host?.close();
});

describe('the local host', () => {
  it('calls handlers with @azure/functions HttpRequest and InvocationContext', async () => {
    const response = await fetch(`${host.url}/api/echo/abc?q=1&code=${KEY}`, {
      method: 'POST',
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ id: 'abc', q: '1', body: 'hello' });
    const call = seen.at(-1);
    expect(call?.request).toBeInstanceOf(HttpRequest);
    expect(call?.context).toBeInstanceOf(InvocationContext);
    expect((call?.context as InvocationContext).functionName).toBe('echo');
    expect((call?.context as InvocationContext).options.trigger.type).toBe('httpTrigger');
  });

  it('sends a returned HttpResponse as it is', async () => {
    const response = await fetch(`${host.url}/api/secret`, { headers: { 'x-functions-key': KEY } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('the secret');
  });

  it.each([
    ['no key', '/api/secret', {}],
    ['a wrong code', `/api/secret?code=${KEY}x`, {}],
    ['a wrong header', '/api/secret', { 'x-functions-key': 'nope' }],
    ['a key in another header', '/api/secret', { authorization: `Bearer ${KEY}` }],
  ] as const)('answers 401 to a function-level route with %s', async (_, path, headers) => {
    const response = await fetch(`${host.url}${path}`, { headers });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  it('runs no handler without the key', async () => {
    const before = seen.length;
    const response = await fetch(`${host.url}/api/echo/x`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it('refuses to start without a real function key', async () => {
    for (const functionKey of ['', 'short']) {
      await expect(
        startLocalHost({
          functions: FUNCTIONS,
          schedule: () => '0 0 0 1 1 *',
          port: 0,
          log: silentLogger,
          timers: false,
          functionKey,
        }),
      ).rejects.toThrow(/function key/);
    }
  });

  it('keeps anonymous routes open', async () => {
    const response = await fetch(`${host.url}/api/open`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('open');
  });
});
