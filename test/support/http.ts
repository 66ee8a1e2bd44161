// Builds the request and context objects HTTP handlers take, as the Functions host or the local host would.
import type { ContextLike, HttpRequestLike } from '../../src/functions/http.js';

export function request(
  url: string,
  options: {
    method?: string;
    params?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): HttpRequestLike {
  const parsed = new URL(url, 'http://localhost:7071');
  const headers = new Headers(options.headers ?? {});
  // A body is JSON unless the test says otherwise (the API refuses other types with 415).
  if (options.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return {
    method: options.method ?? 'GET',
    url: parsed.toString(),
    query: parsed.searchParams,
    params: options.params ?? {},
    headers: { get: (name) => headers.get(name) },
    text: async () => options.body ?? '',
  };
}

export function context(): ContextLike & { logs: string[] } {
  const logs: string[] = [];
  return {
    invocationId: 'test',
    logs,
    log: (...args) => logs.push(args.map(String).join(' ')),
    error: (...args) => logs.push(`ERROR ${args.map(String).join(' ')}`),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
export function body(response: { body?: unknown }): any {
  return JSON.parse(String(response.body));
}
