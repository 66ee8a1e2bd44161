// Keeps the configuration honest: SETTINGS (what the app reads), local.settings.sample.json and the app settings in
// infra/ name the same settings, and nothing under infra/ or in the repository's config files holds a key.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMAIL_LIMITS, SETTINGS } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const MAIN_BICEP = 'infra/main.bicep';
const SETTINGS_BICEP = 'infra/modules/function-app-settings.bicep';

/** Read by the Functions host, the Azure SDKs or the local tooling, not by src/config.ts. */
const PLATFORM_SETTINGS = new Set([
  'FUNCTIONS_WORKER_RUNTIME',
  'AzureWebJobsStorage',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  // App Service Authentication's stand-in for a client secret: the identity, as a federated credential.
  'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID',
]);

/** App settings Flex Consumption refuses: the runtime and the package come from functionAppConfig. */
const REFUSED_ON_FLEX = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
];

const settingNames = Object.keys(SETTINGS).sort();

/**
 * The entries of a top-level `var NAME = {` object literal in a Bicep file: key to the raw text of its value (comment
 * stripped). Only keys indented by exactly two spaces count, so nested objects would not leak in.
 */
function bicepObject(source: string, variable: string): Map<string, string> {
  const lines = source.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trimEnd() === `var ${variable} = {`);
  if (start < 0) throw new Error(`no "var ${variable} = {" line`);
  const entries = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (line.trimEnd() === '}') return entries;
    const match = /^ {2}'?([A-Za-z_][A-Za-z0-9_]*)'?\s*:\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    if (entries.has(match[1])) throw new Error(`${match[1]} appears twice in ${variable}`);
    entries.set(match[1], (match[2] ?? '').replace(/\s+\/\/.*$/, '').trim());
  }
  throw new Error(`"var ${variable} = {" is never closed`);
}

function sampleValues(): Record<string, string> {
  const sample = JSON.parse(read('local.settings.sample.json')) as {
    Values?: Record<string, string>;
  };
  if (!sample.Values) throw new Error('local.settings.sample.json has no Values');
  return sample.Values;
}

describe('app settings', () => {
  const readiness = bicepObject(read(MAIN_BICEP), 'readinessSettings');
  const platform = bicepObject(read(SETTINGS_BICEP), 'platformSettings');

  it('sets every key of SETTINGS in the Bicep, and no other app setting of its own', () => {
    expect([...readiness.keys()].sort()).toEqual(settingNames);
  });

  it('lists every key of SETTINGS in local.settings.sample.json', () => {
    const values = sampleValues();
    expect(settingNames.filter((name) => !(name in values))).toEqual([]);
  });

  it('has nothing in local.settings.sample.json that is neither a SETTINGS key nor a platform setting', () => {
    const unknown = Object.keys(sampleValues()).filter(
      (name) => !(name in SETTINGS) && !PLATFORM_SETTINGS.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it('adds only allow-listed platform settings in the Bicep, none of them a SETTINGS key', () => {
    const names = [...platform.keys()];
    expect(names.filter((name) => !PLATFORM_SETTINGS.has(name))).toEqual([]);
    expect(names.filter((name) => name in SETTINGS)).toEqual([]);
  });

  it('writes both sets to the Function App', () => {
    expect(read(SETTINGS_BICEP)).toContain(
      'properties: union(platformSettings, readinessSettings)',
    );
    expect(read(MAIN_BICEP)).toMatch(/^\s+readinessSettings: readinessSettings$/m);
  });

  it('connects with the managed identity in Azure: endpoints set, connection strings and CA files empty', () => {
    for (const name of [
      'TABLES_CONNECTION_STRING',
      'COMMUNICATION_SERVICES_CONNECTION_STRING',
      'RESOURCE_GRAPH_CA_FILE',
      'COMMUNICATION_SERVICES_CA_FILE',
      'TABLES_CA_FILE',
    ]) {
      expect(readiness.get(name), name).toBe("''");
    }
    for (const name of ['TABLES_ENDPOINT', 'COMMUNICATION_SERVICES_ENDPOINT', 'EMAIL_SENDER']) {
      expect(readiness.get(name), name).toMatch(/\.outputs\./);
    }
    expect(readiness.get('CREDENTIAL_MODE')).toBe("'default'");
    expect(platform.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
  });

  it("points the host at its storage by service URIs built from the cloud's storage suffix", () => {
    for (const service of ['blob', 'queue', 'table']) {
      expect(platform.get(`AzureWebJobsStorage__${service}ServiceUri`), service).toBe(
        `'https://\${storageAccountName}.${service}.\${environment().suffixes.storage}'`,
      );
    }
    // __accountName makes the host build core.windows.net URLs: wrong in sovereign clouds.
    expect(platform.has('AzureWebJobsStorage__accountName')).toBe(false);
    const hardCoded = bicepFiles().filter((file) =>
      /core\.windows\.net/.test(read(file).replace(/(^|\s)\/\/.*$/gm, '')),
    );
    expect(hardCoded).toEqual([]);
  });

  it('sets no app setting that Flex Consumption refuses', () => {
    const bicep = bicepFiles()
      .map((file) => read(file).replace(/(^|\s)\/\/.*$/gm, '')) // comments may name them
      .join('\n');
    expect(REFUSED_ON_FLEX.filter((name) => new RegExp(`\\b${name}\\b`).test(bicep))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function bicepFiles(): string[] {
  return filesUnder('infra').filter((file) => file.endsWith('.bicep'));
}

/** What a key, a connection string with a key or a key-fetching template expression looks like. */
const SECRET_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'AccountKey=', pattern: /AccountKey=/i },
  { what: 'accesskey=', pattern: /accesskey=/i },
  { what: 'listKeys(', pattern: /listKeys\s*\(/i },
  { what: 'SharedAccessSignature', pattern: /SharedAccessSignature/i },
  { what: 'a SAS signature', pattern: /[?&;]sig=[A-Za-z0-9%+/]{20,}/ },
];

/** A run of 64 or more base64 characters mixing upper case, lower case and digits: a key, not a path or a word. */
function base64Blobs(text: string): string[] {
  return (text.match(/[A-Za-z0-9+/]{64,}={0,2}/g) ?? []).filter(
    (run) => /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run),
  );
}

function secretsIn(text: string): string[] {
  return [
    ...SECRET_PATTERNS.filter(({ pattern }) => pattern.test(text)).map(({ what }) => what),
    ...base64Blobs(text).map((blob) => `base64 blob ${blob.slice(0, 8)}…`),
  ];
}

describe('no secrets in the deployment and configuration files', () => {
  const files = [
    ...filesUnder('infra'),
    'azure.yaml',
    '.funcignore',
    'host.json',
    'local.settings.sample.json',
    'package.json',
  ];

  it('checks the Bicep, the parameters and the root config files', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        MAIN_BICEP,
        SETTINGS_BICEP,
        'infra/main.parameters.json',
        'infra/scan-reader/main.bicep',
      ]),
    );
  });

  it.each(files)('%s holds no key, connection string with a key, SAS or listKeys()', (file) => {
    expect(secretsIn(read(file)), relative(ROOT, join(ROOT, file))).toEqual([]);
  });

  it('would catch a real key: the public Azurite development key in dev/azurite.ts (not deployed)', () => {
    expect(secretsIn(read('dev/azurite.ts'))).toEqual(
      expect.arrayContaining(['AccountKey=', expect.stringMatching(/^base64 blob /)]),
    );
  });

  it('would catch a Communication Services connection string and a template that fetches keys', () => {
    expect(secretsIn('endpoint=https://x.communication.azure.com/;accesskey=abc')).toContain(
      'accesskey=',
    );
    expect(secretsIn('value: storage.listKeys().keys[0].value')).toContain('listKeys(');
    expect(
      secretsIn('https://st.blob.core.windows.net/c?sv=2022-11-02&sig=AbCdEfGhIjKlMnOpQrStUv%3D'),
    ).toContain('a SAS signature');
  });
});

describe('e-mail limits follow the domain', () => {
  const main = read(MAIN_BICEP);
  const readiness = bicepObject(main, 'readinessSettings');
  const paramDefault = (name: string) =>
    new RegExp(`^param ${name} int = (.+)$`, 'm').exec(main)?.[1]?.trim();

  it('defaults to the Azure-managed limits unless a verified custom domain is linked', () => {
    const managed = EMAIL_LIMITS.azureManagedDomain;
    const custom = EMAIL_LIMITS.customDomain;
    expect(paramDefault('emailMaxPerMinute')).toBe(
      `empty(emailCustomDomain) || !emailCustomDomainVerified ? ${managed.perMinute} : ${custom.perMinute}`,
    );
    expect(paramDefault('emailMaxPerHour')).toBe(
      `empty(emailCustomDomain) || !emailCustomDomainVerified ? ${managed.perHour} : ${custom.perHour}`,
    );
    expect(main).toMatch(
      /^\s+useCustomDomain: !empty\(emailCustomDomain\) && emailCustomDomainVerified$/m,
    );
    expect(readiness.get('EMAIL_MAX_PER_MINUTE')).toBe('string(emailMaxPerMinute)');
    expect(readiness.get('EMAIL_MAX_PER_HOUR')).toBe('string(emailMaxPerHour)');
  });

  it('links and sends from the custom domain only once it is verified', () => {
    const communication = read('infra/modules/communication.bicep');
    expect(communication).toContain('useCustomDomain ? customerDomain.id : managedDomain.id');
    expect(communication).toContain(
      "'DoNotReply@${useCustomDomain ? customerDomain.properties.mailFromSenderDomain : managedDomain.properties.mailFromSenderDomain}'",
    );
    expect(communication).toMatch(/domainManagement: 'CustomerManaged'/);
    const parameters = read('infra/main.parameters.json');
    expect(parameters).toContain('"emailCustomDomain": { "value": "${EMAIL_CUSTOM_DOMAIN=}" }');
    expect(parameters).toContain(
      '"emailCustomDomainVerified": { "value": "${EMAIL_CUSTOM_DOMAIN_VERIFIED=false}" }',
    );
  });

  it("leaves the app's own defaults empty, so they follow the sender's domain too", () => {
    expect(SETTINGS.EMAIL_MAX_PER_MINUTE).toBe('');
    expect(SETTINGS.EMAIL_MAX_PER_HOUR).toBe('');
  });
});
