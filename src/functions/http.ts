// What an HTTP trigger sees and returns: the parts of @azure/functions' HttpRequest the handlers use, so the local host can supply them too.
import type { HttpResponseInit } from '@azure/functions';
import { redact } from '../core/redact.js';

export type { HttpResponseInit };

export interface HttpRequestLike {
  readonly method: string;
  readonly url: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The parts of InvocationContext the handlers use. */
export interface ContextLike {
  readonly invocationId: string;
  log(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return jsonResponse(status, jsonText(body), headers);
}

/**
 * A value as the JSON text `json` answers with. Compact: a tenth of the status route's time went to indenting
 * (README, "Benchmark"). Markup characters escaped as \u00XX: still the same JSON, inert even if sniffed as HTML.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** A response of JSON text already made by `jsonText` (or assembled from its pieces). */
export function jsonResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...BASE_HEADERS, ...headers },
    body: text,
  };
}

/** `{ "error": { "code", "message" } }`: no stack traces, no internals. */
export function problem(status: number, code: string, message: string): HttpResponseInit {
  return json(status, { error: { code, message: redact(message) } });
}
