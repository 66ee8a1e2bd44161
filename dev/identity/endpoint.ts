// A local managed-identity endpoint speaking the protocol App Service and Azure Functions give apps
// (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference):
//   GET {IDENTITY_ENDPOINT}?resource=<App ID URI>&api-version=2019-08-01[&client_id=<user-assigned identity>]
//   X-IDENTITY-HEADER: {IDENTITY_HEADER}
// answered with { access_token, expires_on, resource, token_type, client_id }. The tokens are RS256 JWTs whose `aud`
// is the resource asked for, signed with a key made at start; the emulators verify them with `publicKey`.
// The same request shape is what @azure/identity (through MSAL's AppService source) sends.
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { signJwt, type TokenClaims } from './jwt.js';

export const IDENTITY_API_VERSION = '2019-08-01';

export interface Identity {
  readonly clientId: string;
  readonly principalId: string;
}

export interface IdentityEndpointOptions {
  readonly port?: number;
  readonly tenantId?: string;
  /** Token lifetime (Azure's managed-identity tokens live for hours; MSAL refreshes them). */
  readonly lifetimeSeconds?: number;
  readonly clock?: () => number;
}

export interface TokenRequestRecord {
  readonly resource: string | null;
  readonly clientId: string | null;
  readonly status: number;
}

export interface RunningIdentityEndpoint {
  /** IDENTITY_ENDPOINT */
  readonly endpoint: string;
  /** IDENTITY_HEADER: the secret the app must echo in X-IDENTITY-HEADER. */
  readonly header: string;
  readonly tenantId: string;
  readonly systemAssigned: Identity;
  readonly userAssigned: Identity;
  /** PEM of the key that verifies every token it issues. */
  readonly publicKey: string;
  /** What the app's environment gets: IDENTITY_ENDPOINT, IDENTITY_HEADER and, for the user-assigned identity, AZURE_CLIENT_ID. */
  env(identity?: 'system' | 'user'): Record<string, string>;
  /** A token signed like the real ones, with claims overridden (tests: wrong audience, expired). */
  token(resource: string, overrides?: Partial<TokenClaims>): string;
  readonly requests: readonly TokenRequestRecord[];
  close(): Promise<void>;
}

function identity(): Identity {
  return { clientId: randomUUID(), principalId: randomUUID() };
}

export async function startIdentityEndpoint(
  options: IdentityEndpointOptions = {},
): Promise<RunningIdentityEndpoint> {
  const clock = options.clock ?? Date.now;
  const tenantId = options.tenantId ?? randomUUID();
  const lifetime = options.lifetimeSeconds ?? 24 * 3600;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const secret = randomBytes(24).toString('hex');
  const systemAssigned = identity();
  const userAssigned = identity();
  const requests: TokenRequestRecord[] = [];

  const issue = (
    resource: string,
    who: Identity,
    key: KeyObject,
    overrides: Partial<TokenClaims> = {},
  ) => {
    const now = Math.floor(clock() / 1000);
    const claims: TokenClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: who.clientId,
      appidacr: '2',
      idtyp: 'app',
      oid: who.principalId,
      sub: who.principalId,
      tid: tenantId,
      ver: '1.0',
      ...overrides,
    };
    return { token: signJwt(claims, key, kid), claims };
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: Record<string, unknown>) => {
      requests.push({
        resource: url.searchParams.get('resource'),
        clientId: url.searchParams.get('client_id'),
        status,
      });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const refuse = (status: number, error: string, description: string) =>
      reply(status, { error, error_description: description });
    if (url.pathname !== '/msi/token') return refuse(404, 'not_found', `no route ${url.pathname}`);
    if (req.method !== 'GET') return refuse(405, 'invalid_request', 'the token endpoint takes GET');
    // The header guards against server-side request forgery: without the app's own secret, no token. (The status
    // App Service uses for a missing header is not documented; 401 says what is wrong.)
    if (req.headers['x-identity-header'] !== secret) {
      return refuse(401, 'unauthorized', 'the X-IDENTITY-HEADER header is missing or wrong');
    }
    if (url.searchParams.get('api-version') !== IDENTITY_API_VERSION) {
      return refuse(
        400,
        'invalid_request',
        `api-version must be ${IDENTITY_API_VERSION} (got '${url.searchParams.get('api-version') ?? ''}')`,
      );
    }
    const resource = url.searchParams.get('resource');
    if (!resource) {
      return refuse(
        400,
        'invalid_request',
        url.searchParams.has('scope')
          ? 'the resource query parameter is required (api-version 2019-08-01 takes the resource, e.g. https://management.azure.com, not a scope)'
          : 'the resource query parameter is required',
      );
    }
    const clientId = url.searchParams.get('client_id');
    const principalId = url.searchParams.get('principal_id');
    let who: Identity = systemAssigned;
    if (clientId !== null || principalId !== null) {
      const match = [userAssigned].find(
        (i) =>
          (clientId === null || i.clientId.toLowerCase() === clientId.toLowerCase()) &&
          (principalId === null || i.principalId.toLowerCase() === principalId.toLowerCase()),
      );
      if (!match) {
        return refuse(
          400,
          'invalid_request',
          `no user-assigned identity with ${clientId !== null ? `client_id ${clientId}` : `principal_id ${principalId}`} is assigned to this app`,
        );
      }
      who = match;
    }
    const { token, claims } = issue(resource, who, privateKey);
    return reply(200, {
      access_token: token,
      expires_on: String(claims.exp),
      resource,
      token_type: 'Bearer',
      client_id: who.clientId,
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}/msi/token`;
  return {
    endpoint,
    header: secret,
    tenantId,
    systemAssigned,
    userAssigned,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    env: (which = 'user') => ({
      IDENTITY_ENDPOINT: endpoint,
      IDENTITY_HEADER: secret,
      ...(which === 'user' ? { AZURE_CLIENT_ID: userAssigned.clientId } : {}),
    }),
    token: (resource, overrides) => issue(resource, userAssigned, privateKey, overrides).token,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
