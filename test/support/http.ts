// Calls HTTP handlers as the Functions host does: with @azure/functions' own HttpRequest and InvocationContext,
// and what they return read back through its HttpResponse (as the worker converts it).
import {
  HttpRequest,
  HttpResponse,
  InvocationContext,
  type HttpResponseInit,
} from '@azure/functions';

export function request(
  url: string,
  options: {
    method?: string;
    params?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): HttpRequest {
  const parsed = new URL(url, 'http://localhost:7071');
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  // A body is JSON unless the test says otherwise (the API refuses other types with 415).
  if (
    options.body !== undefined &&
    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
  )
    headers['content-type'] = 'application/json';
  return new HttpRequest({
    method: options.method ?? 'GET',
    url: parsed.toString(),
    headers,
    params: options.params ?? {},
    ...(options.body !== undefined ? { body: { string: options.body } } : {}),
  });
}

export function context(functionName = 'test'): InvocationContext & { logs: string[] } {
  const logs: string[] = [];
  const invocation = new InvocationContext({
    invocationId: 'test',
    functionName,
    logHandler: (level, ...args) =>
      logs.push(`${level === 'error' ? 'ERROR ' : ''}${args.map(String).join(' ')}`),
  });
  return Object.assign(invocation, { logs });
}

/** A handler's answer as the caller gets it: through HttpResponse, its body read as text. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export async function through(
  result: Promise<HttpResponseInit | HttpResponse> | HttpResponseInit | HttpResponse,
): Promise<Answer> {
  const value = await result;
  const response = value instanceof HttpResponse ? value : new HttpResponse(value);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
export function body(response: Answer): any {
  return JSON.parse(response.body);
}
