// Request bodies: JSON only (415 otherwise, so no browser can send one as a simple cross-site request), capped before
// they are read (413), parse errors reported by position, never by content (400).
import { jsonPosition } from '../core/parse-position.js';
import { problem, type HttpRequestLike, type HttpResponseInit } from './http.js';

/** The most any route reads: an exemption is the largest body the API takes. */
export const MAX_BODY_BYTES = 64 * 1024;

export type Body = { ok: true; value: unknown } | { ok: false; response: HttpResponseInit };

/** A request that may expose its body as a stream (the Functions host's HttpRequest does). */
type WithStream = HttpRequestLike & { readonly body?: ReadableStream<Uint8Array> | null };

const tooLarge = (limit: number): HttpResponseInit =>
  problem(413, 'PayloadTooLarge', `the body is at most ${Math.floor(limit / 1024)} KB of JSON`);

/** 415 unless the request says its body is JSON: `Content-Type: application/json` (parameters allowed). */
export function requireJsonContentType(request: HttpRequestLike): HttpResponseInit | undefined {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return problem(
    415,
    'UnsupportedMediaType',
    `${request.method} bodies must be sent as Content-Type: application/json`,
  );
}

async function readCapped(request: WithStream, limit: number): Promise<string | undefined> {
  const stream = request.body;
  if (stream && typeof stream.getReader === 'function') {
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  // Hosts without a stream cap the body themselves (the local host at 1 MB); check what came.
  const text = await request.text();
  return Buffer.byteLength(text, 'utf8') > limit ? undefined : text;
}

/** Reads a JSON body: 415 if not declared JSON, 413 past `limit` (Content-Length checked before reading), 400 if malformed. */
export async function readJsonBody(
  request: HttpRequestLike,
  limit: number = MAX_BODY_BYTES,
): Promise<Body> {
  const unsupported = requireJsonContentType(request);
  if (unsupported) return { ok: false, response: unsupported };
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit)
    return { ok: false, response: tooLarge(limit) };
  const text = await readCapped(request as WithStream, limit);
  if (text === undefined) return { ok: false, response: tooLarge(limit) };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      response: problem(400, 'InvalidBody', `body: ${jsonPosition(text, error)}`),
    };
  }
}
