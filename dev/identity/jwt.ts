// RS256 JSON Web Tokens for the local stack: the managed-identity endpoint signs them, the emulators check them
// the way Azure's front doors do (signature, audience, lifetime, issuer).
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface TokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly [claim: string]: unknown;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export function signJwt(claims: TokenClaims, privateKey: KeyObject, kid: string): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** Microsoft Entra ID issues v1 tokens as https://sts.windows.net/{tenant}/ and v2 as login.microsoftonline.com. */
const ISSUERS = [
  /^https:\/\/sts\.windows\.net\/[^/]+\/$/,
  /^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0$/,
];

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | {
      readonly ok: false;
      readonly reason:
        'missing' | 'malformed' | 'signature' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid';
      readonly message: string;
      readonly claims?: Partial<TokenClaims>;
    };

export interface TokenPolicy {
  /** PEM (SPKI) public key of the issuer (the local managed-identity endpoint). */
  readonly publicKey: string | KeyObject;
  /** The audiences the service accepts, compared exactly. */
  readonly audiences: readonly string[];
}

/** Checks `Authorization: Bearer <jwt>` against a policy at `now` (ms). */
export function checkBearer(
  authorization: string | undefined,
  policy: TokenPolicy,
  now: number = Date.now(),
): TokenCheck {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!bearer?.[1]) {
    return { ok: false, reason: 'missing', message: 'no bearer token in the Authorization header' };
  }
  const parts = bearer[1].split('.');
  let header: { alg?: unknown };
  let claims: Partial<TokenClaims>;
  try {
    if (parts.length !== 3) throw new Error('not three parts');
    header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as {
      alg?: unknown;
    };
    claims = JSON.parse(
      Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'),
    ) as Partial<TokenClaims>;
  } catch {
    return { ok: false, reason: 'malformed', message: 'the bearer token is not a JSON Web Token' };
  }
  const key =
    typeof policy.publicKey === 'string' ? createPublicKey(policy.publicKey) : policy.publicKey;
  const signed =
    header.alg === 'RS256' &&
    verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      key,
      Buffer.from(parts[2] ?? '', 'base64url'),
    );
  if (!signed) {
    return { ok: false, reason: 'signature', message: 'the token signature is invalid', claims };
  }
  if (typeof claims.iss !== 'string' || !ISSUERS.some((re) => re.test(claims.iss as string))) {
    return {
      ok: false,
      reason: 'issuer',
      message: `the token issuer '${String(claims.iss)}' is not trusted`,
      claims,
    };
  }
  if (typeof claims.aud !== 'string' || !policy.audiences.includes(claims.aud)) {
    return {
      ok: false,
      reason: 'audience',
      message: `the token audience '${String(claims.aud)}' is not one of ${policy.audiences.map((a) => `'${a}'`).join(', ')}`,
      claims,
    };
  }
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) {
    return { ok: false, reason: 'expired', message: 'the token has expired', claims };
  }
  if (typeof claims.nbf === 'number' && claims.nbf > seconds) {
    return { ok: false, reason: 'not-yet-valid', message: 'the token is not valid yet', claims };
  }
  return { ok: true, claims: claims as TokenClaims };
}
