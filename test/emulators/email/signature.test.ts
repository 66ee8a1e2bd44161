// The emulator's signature check against requests signed the way @azure/communication-common signs them.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedPathAndQuery, verifyAuthorization } from '../../../dev/emulators/email/signature.js';

const key = randomBytes(64).toString('base64');
const now = Date.parse('2026-03-01T08:00:00Z');

/** Mirrors the SDK policy: URL.pathname + URLSearchParams.toString(), then `date;host;hash`. */
function signed(
  method: string,
  url: string,
  body: string,
  options: { date?: number; signKey?: string } = {},
) {
  const parsed = new URL(url, 'https://127.0.0.1:8443');
  const query = parsed.searchParams.toString();
  const hash = createHash('sha256').update(body).digest('base64');
  const date = new Date(options.date ?? now).toUTCString();
  const toSign = `${method}\n${parsed.pathname}${query ? `?${query}` : ''}\n${date};${parsed.host};${hash}`;
  const signature = createHmac('sha256', Buffer.from(options.signKey ?? key, 'base64'))
    .update(toSign)
    .digest('base64');
  return {
    method,
    url,
    contentSha256: hash,
    headers: {
      host: parsed.host,
      'x-ms-date': date,
      'x-ms-content-sha256': hash,
      authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
    },
  };
}

describe('verifyAuthorization', () => {
  it('signs the query as URLSearchParams re-serialises it, not as received', () => {
    expect(signedPathAndQuery('/emails:send?api-version=2025-09-01&note=a%20b')).toBe(
      '/emails:send?api-version=2025-09-01&note=a+b',
    );
    expect(
      verifyAuthorization(
        signed('POST', '/emails:send?api-version=2025-09-01&note=a%20b', '{}'),
        key,
        now,
      ),
    ).toEqual({ ok: true, scheme: 'hmac' });
  });

  it('accepts up to 15 minutes of clock skew either way and no more', () => {
    const minutes = (m: number) => now + m * 60_000;
    expect(verifyAuthorization(signed('GET', '/x', '', { date: minutes(-15) }), key, now).ok).toBe(
      true,
    );
    expect(verifyAuthorization(signed('GET', '/x', '', { date: minutes(15) }), key, now).ok).toBe(
      true,
    );
    expect(
      verifyAuthorization(signed('GET', '/x', '', { date: minutes(-15.1) }), key, now).ok,
    ).toBe(false);
    expect(verifyAuthorization(signed('GET', '/x', '', { date: minutes(16) }), key, now).ok).toBe(
      false,
    );
  });

  it('rejects another key, another host, another method and a body that does not match its hash', () => {
    const request = signed('POST', '/emails:send?api-version=2025-09-01', '{"a":1}');
    expect(
      verifyAuthorization(
        signed('POST', '/emails:send', '{}', { signKey: randomBytes(64).toString('base64') }),
        key,
        now,
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/signature/),
    });
    expect(
      verifyAuthorization(
        { ...request, headers: { ...request.headers, host: 'localhost:8443' } },
        key,
        now,
      ).ok,
    ).toBe(false);
    expect(verifyAuthorization({ ...request, method: 'PUT' }, key, now).ok).toBe(false);
    expect(
      verifyAuthorization(
        { ...request, contentSha256: createHash('sha256').update('{"a":2}').digest('base64') },
        key,
        now,
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/x-ms-content-sha256/),
    });
  });

  it('accepts any bearer token and refuses other schemes or none', () => {
    const bare = { method: 'GET', url: '/x', contentSha256: '' };
    expect(
      verifyAuthorization({ ...bare, headers: { authorization: 'Bearer eyJ0eXAi' } }, key, now),
    ).toEqual({ ok: true, scheme: 'bearer' });
    expect(
      verifyAuthorization({ ...bare, headers: { authorization: 'Basic dXNlcjpwdw==' } }, key, now)
        .ok,
    ).toBe(false);
    expect(verifyAuthorization({ ...bare, headers: {} }, key, now).ok).toBe(false);
  });
});
