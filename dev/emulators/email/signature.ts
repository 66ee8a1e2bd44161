// Checks the Authorization of a Communication Services request: the SDK's HMAC-SHA256 signature or any bearer token.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How far the signed date may be from the emulator's clock, as the service allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

export interface SignedRequest {
  method: string;
  /** The request target exactly as received (`req.url`): path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** SHA-256 of the body bytes, base64. */
  contentSha256: string;
}

export type AuthResult = { ok: true; scheme: 'hmac' | 'bearer' } | { ok: false; message: string };

/** Base64 SHA-256, the form of `x-ms-content-sha256`. */
export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

/**
 * The path and query as @azure/communication-common signs them: `URL.pathname` plus
 * `URLSearchParams.toString()`. The query is re-serialised (so `%20` becomes `+`), hence
 * the raw request target must go through the same WHATWG parsing, not be compared as is.
 */
export function signedPathAndQuery(url: string): string {
  const parsed = new URL(url, 'https://emulator.invalid');
  const query = parsed.searchParams.toString();
  return query ? `${parsed.pathname}?${query}` : parsed.pathname;
}

/** The string the client signed: verb, path and query, then the signed header values joined by `;`. */
export function stringToSign(
  method: string,
  url: string,
  signedHeaderValues: readonly string[],
): string {
  return `${method.toUpperCase()}\n${signedPathAndQuery(url)}\n${signedHeaderValues.join(';')}`;
}

/** HMAC-SHA256 with the base64-decoded access key, base64 encoded, as the SDK computes it. */
export function computeSignature(accessKey: string, toSign: string): string {
  return createHmac('sha256', Buffer.from(accessKey, 'base64'))
    .update(toSign, 'utf8')
    .digest('base64');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const HMAC_AUTHORIZATION = /^HMAC-SHA256\s+SignedHeaders=([^&\s]+)&Signature=(\S+)$/i;

/**
 * Verifies a request the way the service does. The signed header list is read from the
 * Authorization header rather than assumed, so a client signing `date` instead of
 * `x-ms-date` is checked too; host, a date and the content hash must always be among them.
 */
export function verifyAuthorization(
  request: SignedRequest,
  accessKey: string,
  now: number = Date.now(),
): AuthResult {
  const authorization = header(request.headers, 'authorization');
  if (!authorization) return { ok: false, message: 'The request has no Authorization header.' };

  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  // Tokens are checked by the emulator itself when it trusts an issuer (its `identity` option, dev/identity).
  if (bearer) return { ok: true, scheme: 'bearer' };

  const hmac = HMAC_AUTHORIZATION.exec(authorization);
  if (!hmac?.[1] || !hmac[2]) {
    return {
      ok: false,
      message:
        'Authorization must be "HMAC-SHA256 SignedHeaders=...&Signature=..." or "Bearer <token>".',
    };
  }
  const signedHeaders = hmac[1].toLowerCase().split(';');
  const signature = hmac[2];

  const dateHeader = signedHeaders.includes('x-ms-date')
    ? 'x-ms-date'
    : signedHeaders.includes('date')
      ? 'date'
      : undefined;
  for (const required of ['host', 'x-ms-content-sha256']) {
    if (!signedHeaders.includes(required))
      return { ok: false, message: `SignedHeaders must include ${required}.` };
  }
  if (!dateHeader) return { ok: false, message: 'SignedHeaders must include x-ms-date or date.' };

  const values: string[] = [];
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) return { ok: false, message: `The signed header ${name} is missing.` };
    values.push(value);
  }

  const signedAt = Date.parse(header(request.headers, dateHeader) ?? '');
  if (Number.isNaN(signedAt))
    return { ok: false, message: `The ${dateHeader} header is not a date.` };
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      message: `The ${dateHeader} header is more than 15 minutes from the server time.`,
    };
  }

  if (!safeEqual(header(request.headers, 'x-ms-content-sha256') ?? '', request.contentSha256)) {
    return { ok: false, message: 'x-ms-content-sha256 does not match the request body.' };
  }

  const expected = computeSignature(accessKey, stringToSign(request.method, request.url, values));
  if (!safeEqual(signature, expected)) {
    return { ok: false, message: 'The request signature does not match the access key.' };
  }
  return { ok: true, scheme: 'hmac' };
}
