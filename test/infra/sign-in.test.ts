// Issue 21: the template puts Microsoft Entra ID sign-in (App Service Authentication) in front of the people's routes
// and leaves the API routes to their function keys. The excluded paths are derived from the function registry here, so
// a new route cannot silently fall on the wrong side. When the `bicep` CLI is on PATH, the template is also compiled.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, type HttpFunction } from '../../src/functions/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const MAIN = read('infra/main.bicep');
const SIGN_IN = read('infra/modules/sign-in.bicep');

const http = FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http');

/** Easy Auth matches an excluded path exactly, or everything under `/prefix/*` (MicrosoftDocs/azure-docs#86514). */
function excludedPathOf(route: string): string {
  const fixed = route.split('/').findIndex((segment) => segment.startsWith('{'));
  return fixed < 0 ? `/api/${route}` : `/api/${route.split('/').slice(0, fixed).join('/')}/*`;
}
function matches(excluded: string, path: string): boolean {
  return excluded.endsWith('/*')
    ? path.toLowerCase().startsWith(excluded.slice(0, -1).toLowerCase())
    : path.toLowerCase() === excluded.toLowerCase();
}
function excludedPaths(): string[] {
  const block = /excludedPaths: \[([\s\S]*?)\]/.exec(SIGN_IN)?.[1] ?? '';
  return [...block.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
}

describe('App Service Authentication (authsettingsV2)', () => {
  it('requires sign-in, redirecting browsers to Microsoft Entra ID, with the token store on', () => {
    expect(SIGN_IN).toMatch(/resource authSettings 'Microsoft\.Web\/sites\/config@[\d-]+' = \{/);
    expect(SIGN_IN).toContain("name: 'authsettingsV2'");
    expect(SIGN_IN).toMatch(/platform: \{\s*enabled: true/);
    expect(SIGN_IN).toContain('requireAuthentication: true');
    expect(SIGN_IN).toContain("unauthenticatedClientAction: 'RedirectToLoginPage'");
    expect(SIGN_IN).toContain("redirectToProvider: 'azureactivedirectory'");
    expect(SIGN_IN).toMatch(/tokenStore: \{\s*enabled: true/);
    expect(SIGN_IN).toContain('requireHttps: true');
  });

  it('excludes exactly the public and API routes of the registry, never a people route', () => {
    const expected = [
      ...new Set(http.filter((f) => f.access !== 'people').map((f) => excludedPathOf(f.route))),
    ].sort();
    expect(excludedPaths().sort()).toEqual(expected);
    expect(excludedPaths()).toContain('/api/health');
    for (const f of http.filter((x) => x.access === 'people')) {
      const path = `/api/${f.route.replace(/\{[^}]+\}/g, 'x')}`;
      for (const excluded of excludedPaths())
        expect(matches(excluded, path), `${path} under ${excluded}`).toBe(false);
    }
  });

  it('signs in with the app registration, its secret replaced by the managed identity (no secret stored)', () => {
    expect(SIGN_IN).toContain('clientId: application.appId');
    expect(SIGN_IN).toContain("clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'");
    expect(SIGN_IN).toContain(
      "openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'",
    );
    expect(read('infra/modules/function-app-settings.bicep')).toMatch(
      /^ {2}OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId$/m,
    );
  });
});

describe('the app registration (Microsoft Graph Bicep extension)', () => {
  it('declares the Graph extension in bicepconfig.json and uses it in the module', () => {
    const config = JSON.parse(read('infra/bicepconfig.json')) as {
      extensions?: Record<string, string>;
    };
    expect(config.extensions?.microsoftGraphV1).toBe(
      'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0',
    );
    expect(SIGN_IN).toMatch(/^extension microsoftGraphV1$/m);
  });

  it('is a single-tenant web app with the Easy Auth callback, ID tokens and the platform app role', () => {
    expect(SIGN_IN).toMatch(/resource application 'Microsoft\.Graph\/applications@v1\.0' = \{/);
    expect(SIGN_IN).toContain("signInAudience: 'AzureADMyOrg'");
    expect(SIGN_IN).toContain("'https://${defaultHostName}/.auth/login/aad/callback'");
    expect(SIGN_IN).toContain('enableIdTokenIssuance: true');
    expect(SIGN_IN).toContain('value: platformTeamAppRole');
    expect(SIGN_IN).toContain("groupMembershipClaims: 'SecurityGroup'");
  });

  it('trusts the app identity as a federated credential, and requires assignment to sign in', () => {
    expect(SIGN_IN).toMatch(
      /resource federatedCredential 'Microsoft\.Graph\/applications\/federatedIdentityCredentials@v1\.0'/,
    );
    expect(SIGN_IN).toMatch(/audiences: \[\s*'api:\/\/AzureADTokenExchange'\s*\]/);
    expect(SIGN_IN).toContain('subject: identityPrincipalId');
    expect(SIGN_IN).toMatch(
      /resource servicePrincipal 'Microsoft\.Graph\/servicePrincipals@v1\.0'/,
    );
    expect(SIGN_IN).toContain('appRoleAssignmentRequired: true');
  });

  it('is deployed when appServiceAuthentication is on, before the app settings that say so', () => {
    expect(MAIN).toMatch(
      /module signIn 'modules\/sign-in\.bicep' = if \(appServiceAuthentication\) \{/,
    );
    const settings = /module functionAppSettings [\s\S]*?\n\}/.exec(MAIN)?.[0] ?? '';
    expect(settings).toMatch(/dependsOn: \[[\s\S]*signIn[\s\S]*\]/);
    expect(MAIN).toContain('PLATFORM_TEAM_GROUP_ID: platformTeamGroupId');
    expect(MAIN).toContain('PLATFORM_TEAM_APP_ROLE: platformTeamAppRole');
    expect(read('infra/main.parameters.json')).toContain(
      '"appServiceAuthentication": { "value": "${APP_SERVICE_AUTHENTICATION=true}" }',
    );
  });
});

function bicepOnPath(): boolean {
  try {
    execFileSync('bicep', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the template', () => {
  it.skipIf(!bicepOnPath())('compiles with the bicep CLI', () => {
    const out = execFileSync('bicep', ['build', '--stdout', join(ROOT, 'infra/main.bicep')], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(out).toContain('authsettingsV2');
  });
});
