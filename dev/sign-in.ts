// The local host's stand-in for App Service Authentication ("Easy Auth"), as strict as the real one where the app can
// tell the difference:
// - the principal headers (x-ms-client-principal, -name, -id, -idp) and the token headers (x-ms-token-*) are the
//   platform's: whatever a client sends under those names is stripped, and they are set only for a signed-in session
//   ("External requests aren't allowed to set these headers, so they're present only if set by App Service":
//   https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities);
// - the session is the `AppServiceAuthSession` cookie set by `/.auth/login/aad`, ended by `/.auth/logout`; `/.auth/me`
//   lists the session's claims (https://learn.microsoft.com/azure/app-service/configure-authentication-customize-sign-in-out,
//   https://learn.microsoft.com/azure/app-service/configure-authentication-oauth-tokens);
// - an unauthenticated request to a route that requires sign-in gets what `unauthenticatedClientAction`
//   RedirectToLoginPage gives: a 302 to `/.auth/login/aad?post_login_redirect_uri=…` for a browser (Accept text/html,
//   not an XMLHttpRequest), a 401 otherwise (https://learn.microsoft.com/azure/app-service/overview-authentication-authorization#authorization-behavior).
// Locally there is no Entra ID: `/.auth/login/aad?user=<address>&roles=<role,…>&groups=<object id,…>` signs in as that
// person (a small form asks when `user` is missing). Only the local host has this; it listens on 127.0.0.1.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isEmailAddress } from '../src/core/email-address.js';
import { encodeClientPrincipal } from '../src/core/principal.js';
import { escapeHtml } from '../src/views/html.js';

export const SESSION_COOKIE = 'AppServiceAuthSession';
export const LOGIN_PATH = '/.auth/login/aad';

export interface LocalSession {
  readonly id: string;
  readonly address: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

const list = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .slice(0, 50);

/** A same-site path to return to after sign-in; anything else (another origin, `//host`) goes to the dashboard. */
function returnPath(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/api/dashboard';
  return value;
}

function cookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

export class SignInStandIn {
  private readonly sessions = new Map<string, LocalSession>();

  /** Removes every platform-owned header a client sent; returns the signed-in session, if the cookie names one. */
  strip(req: IncomingMessage): LocalSession | undefined {
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-ms-client-principal') || name.startsWith('x-ms-token-'))
        delete req.headers[name];
    }
    const token = cookieOf(req);
    return token ? this.sessions.get(token) : undefined;
  }

  /** The headers App Service sets for a signed-in request. */
  headersFor(session: LocalSession): Record<string, string> {
    return {
      'x-ms-client-principal': encodeClientPrincipal({
        address: session.address,
        id: session.id,
        roles: session.roles,
        groups: session.groups,
      }),
      'x-ms-client-principal-name': session.address,
      'x-ms-client-principal-id': session.id,
      'x-ms-client-principal-idp': 'aad',
    };
  }

  /** RedirectToLoginPage: a browser is sent to the sign-in, anything else gets a 401. */
  unauthenticated(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const browser =
      /\btext\/html\b/i.test(req.headers.accept ?? '') &&
      String(req.headers['x-requested-with'] ?? '').toLowerCase() !== 'xmlhttprequest';
    if (browser) {
      const back = encodeURIComponent(`${url.pathname}${url.search}`);
      res.writeHead(302, {
        Location: `${LOGIN_PATH}?post_login_redirect_uri=${back}`,
        'Content-Length': '0',
      });
    } else {
      res.writeHead(401, { 'Content-Length': '0' });
    }
    res.end();
  }

  /** `/.auth/login/aad`, `/.auth/logout`, `/.auth/me`. */
  endpoint(url: URL, req: IncomingMessage, res: ServerResponse): void {
    if (url.pathname === LOGIN_PATH) return this.login(url, res);
    if (url.pathname === '/.auth/logout') {
      const token = cookieOf(req);
      if (token) this.sessions.delete(token);
      res.writeHead(302, {
        Location: returnPath(url.searchParams.get('post_logout_redirect_uri')),
        'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    if (url.pathname === '/.auth/me') {
      const token = cookieOf(req);
      const session = token ? this.sessions.get(token) : undefined;
      if (!session) {
        res.writeHead(401, { 'Content-Length': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify([
          {
            provider_name: 'aad',
            user_id: session.address,
            user_claims: [
              { typ: 'preferred_username', val: session.address },
              ...session.groups.map((val) => ({ typ: 'groups', val })),
              ...session.roles.map((val) => ({ typ: 'roles', val })),
            ],
          },
        ]),
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route ${url.pathname}` } }));
  }

  private login(url: URL, res: ServerResponse): void {
    const user = url.searchParams.get('user')?.trim().toLowerCase();
    const back = returnPath(url.searchParams.get('post_login_redirect_uri'));
    if (!user || !isEmailAddress(user)) {
      // No Entra ID locally: a form asks who to sign in as.
      const error = user ? `<p role="alert">${escapeHtml(user)} is not an e-mail address.</p>` : '';
      res.writeHead(user ? 400 : 200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': "default-src 'none'; form-action 'self'",
        'Cache-Control': 'no-store',
      });
      res.end(
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Local sign-in</title>` +
          `<h1>Local sign-in (stand-in for Microsoft Entra ID)</h1>${error}` +
          `<form method="get" action="${LOGIN_PATH}">` +
          `<input type="hidden" name="post_login_redirect_uri" value="${escapeHtml(back)}">` +
          `<label>E-mail address <input name="user" type="email" required></label> ` +
          `<label>App roles <input name="roles" placeholder="Readiness.Platform"></label> ` +
          `<label>Group object ids <input name="groups"></label> ` +
          `<button>Sign in</button></form></html>`,
      );
      return;
    }
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, {
      id: randomUUID(),
      address: user,
      roles: list(url.searchParams.get('roles')),
      groups: list(url.searchParams.get('groups')).map((g) => g.toLowerCase()),
    });
    res.writeHead(302, {
      Location: back,
      'Set-Cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`,
      'Content-Length': '0',
    });
    res.end();
  }
}
