// Every app setting, read, typed and validated once. A wrong value stops start-up naming the setting.
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { z } from 'zod';
import { endpointTrust, UntrustedEndpointError } from './core/arm-endpoint.js';
import { domainOf, inAllowedDomains, isDomainName, isEmailAddress } from './core/email-address.js';
import { DEFAULT_THRESHOLDS, type UrgencyThresholds } from './core/urgency.js';
import type { ScopeFilter } from './app/ports.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Scope =
  | { readonly kind: 'tenant' }
  | { readonly kind: 'managementGroups'; readonly ids: readonly string[] }
  | { readonly kind: 'subscriptions'; readonly ids: readonly string[] };

export type TablesConnection =
  | { readonly kind: 'connectionString'; readonly value: string }
  | { readonly kind: 'identity'; readonly endpoint: string };

/** The scan's batch queue: none means scans run in one process (the CLI's way). */
export type QueueConnection =
  | { readonly kind: 'none' }
  | { readonly kind: 'connectionString'; readonly value: string }
  | { readonly kind: 'identity'; readonly endpoint: string };

export type EmailConnection =
  | { readonly kind: 'none' }
  | { readonly kind: 'connectionString'; readonly value: string }
  | { readonly kind: 'identity'; readonly endpoint: string };

export interface Config {
  readonly scanSchedule: string;
  readonly digestSchedule: string;
  readonly scope: Scope;
  /** Parts of the tenant left out of every scan (applied in the Resource Graph queries). */
  readonly filter: ScopeFilter;
  readonly resourceGraph: {
    readonly endpoint: string;
    /** PEM file of a CA to trust (a local emulator's self-signed certificate). */
    readonly caFile: string | undefined;
    readonly batchSize: number;
    readonly pageSize: number;
    readonly pageTimeoutMs: number;
    /** The token audience for the endpoint (`https://<cloud's ARM host>/.default`); undefined for the local emulator. */
    readonly scope?: string | undefined;
  };
  /** `default`: DefaultAzureCredential (managed identity in Azure, your login locally); `emulator`: a fixed token for local emulators. */
  readonly credential: 'default' | 'emulator';
  readonly tables: TablesConnection;
  /** PEM file of a CA to trust for Table Storage (local Azurite over HTTPS, for identity-based access). */
  readonly tablesCaFile?: string | undefined;
  readonly tablePrefix: string;
  /** Storage Queues that carry a scan's batches to the queue-triggered worker. */
  readonly scanQueue: {
    readonly connection: QueueConnection;
    readonly name: string;
    /** PEM file of a CA to trust (local Azurite over HTTPS). */
    readonly caFile: string | undefined;
  };
  readonly email: {
    readonly connection: EmailConnection;
    readonly sender: string | undefined;
    readonly caFile: string | undefined;
    readonly defaultRecipients: readonly string[];
    readonly operatorRecipients: readonly string[];
    /** Default: the sending limits of the sender's domain (EMAIL_LIMITS). */
    readonly maxPerMinute: number;
    readonly maxPerHour: number;
    /**
     * Only addresses in these domains (or their subdomains) are owners and ever mailed. Undefined only when no
     * e-mail service, no EMAIL_ALLOWED_DOMAINS and no recipients are configured (nothing can be mailed then).
     */
    readonly allowedDomains: readonly string[] | undefined;
  };
  /** The app sits behind App Service Authentication: the x-ms-client-principal-* headers are trusted. */
  readonly appServiceAuthentication: boolean;
  /**
   * Who sees every owner's findings and manages exemptions and contacts once people sign in: members of the group or
   * holders of the app role. Required when `appServiceAuthentication` is on.
   */
  readonly platformTeam: {
    readonly groupId?: string | undefined;
    readonly appRole?: string | undefined;
  };
  /** Signs the findings API's continuation tokens (HMAC-SHA256). */
  readonly continuationTokenKey: string;
  readonly ownerTags: readonly string[];
  readonly thresholds: UrgencyThresholds;
  readonly retentionDays: number;
  /** The furthest an exemption may expire, in days from its creation. */
  readonly exemptionMaxDays: number;
  /** Share of previously scanned subscriptions that may vanish before a scan distrusts its listing. */
  readonly coverageDropFraction: number;
  readonly leaseSeconds: number;
  readonly dashboardUrl: string | undefined;
  /** Where owners ask for exemptions (PLATFORM_CONTACT, else the first default recipient). */
  readonly platformContact: string | undefined;
  readonly retirementFeed: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly { setting: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Every setting the app reads, with its default (undefined = optional, no default). */
export const SETTINGS = {
  SCAN_SCHEDULE: '0 0 */6 * * *',
  DIGEST_SCHEDULE: '0 30 7 * * *',
  SCAN_SCOPE: 'tenant',
  SCAN_MANAGEMENT_GROUPS: '',
  SCAN_SUBSCRIPTIONS: '',
  SCAN_EXCLUDE_SUBSCRIPTIONS: '',
  SCAN_EXCLUDE_RESOURCE_GROUPS: '',
  SCAN_EXCLUDE_TYPES: '',
  SCAN_EXCLUDE_TAGS: '',
  RESOURCE_GRAPH_ENDPOINT: 'https://management.azure.com',
  RESOURCE_GRAPH_CA_FILE: '',
  RESOURCE_GRAPH_BATCH_SIZE: '300',
  RESOURCE_GRAPH_PAGE_SIZE: '1000',
  RESOURCE_GRAPH_PAGE_TIMEOUT_SECONDS: '60',
  CREDENTIAL_MODE: 'default',
  TABLES_CONNECTION_STRING: '',
  TABLES_ENDPOINT: '',
  TABLES_CA_FILE: '',
  TABLE_PREFIX: 'readiness',
  SCAN_QUEUE_NAME: 'readiness-scan-batches',
  SCAN_QUEUE_ENDPOINT: '',
  SCAN_QUEUE_CONNECTION_STRING: '',
  SCAN_QUEUE_CA_FILE: '',
  COMMUNICATION_SERVICES_ENDPOINT: '',
  COMMUNICATION_SERVICES_CONNECTION_STRING: '',
  COMMUNICATION_SERVICES_CA_FILE: '',
  EMAIL_SENDER: '',
  DIGEST_DEFAULT_RECIPIENTS: '',
  OPERATOR_RECIPIENTS: '',
  EMAIL_MAX_PER_MINUTE: '', // empty: the limit of EMAIL_SENDER's domain (EMAIL_LIMITS)
  EMAIL_MAX_PER_HOUR: '', // empty: the limit of EMAIL_SENDER's domain (EMAIL_LIMITS)
  OWNER_TAGS: 'owner,Owner,OwnerEmail,contact,createdBy',
  DEADLINE_THRESHOLDS_DAYS: '7,30,90,180',
  RETENTION_DAYS: '180',
  COVERAGE_DROP_FRACTION: '0.2',
  EXEMPTION_MAX_DAYS: '180',
  SCAN_LEASE_SECONDS: '900',
  DASHBOARD_URL: '',
  PLATFORM_CONTACT: '', // empty: the first of DIGEST_DEFAULT_RECIPIENTS
  RETIREMENT_FEED: '',
  RESOURCE_GRAPH_ENDPOINT_TRUSTED: 'false',
  EMAIL_ALLOWED_DOMAINS: '',
  APP_SERVICE_AUTHENTICATION: 'false',
  PLATFORM_TEAM_GROUP_ID: '',
  PLATFORM_TEAM_APP_ROLE: '',
  CONTINUATION_TOKEN_KEY: '',
} as const satisfies Record<string, string>;

export type SettingName = keyof typeof SETTINGS;

/**
 * Communication Services e-mail sending limits per subscription, by the kind of domain the sender is on
 * (https://learn.microsoft.com/azure/communication-services/concepts/service-limits#rate-limits-for-email):
 * Azure-managed domains (<guid>.azurecomm.net) 5 a minute and 10 an hour, not raisable; custom domains 30 a minute and
 * 100 an hour until a support request raises them. infra/main.bicep sets the same defaults for the domain it links.
 */
export const EMAIL_LIMITS = {
  azureManagedDomain: { perMinute: 5, perHour: 10 },
  customDomain: { perMinute: 30, perHour: 100 },
} as const;

/** Whether an e-mail address is on an Azure-managed Communication Services domain. */
export function isAzureManagedSender(address: string): boolean {
  return /@[^@]+\.azurecomm\.net$/i.test(address.trim());
}

export function validateSchedule(value: string): string | undefined {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `"${value}" is not an NCRONTAB expression with 6 fields ({second} {minute} {hour} {day} {month} {day-of-week})`;
  }
  try {
    new Cron(value, { timezone: 'UTC', paused: true });
    return undefined;
  } catch (error) {
    return `"${value}" is not a valid schedule: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function splitList(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const positiveInt = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/**
 * Whether people sign in (APP_SERVICE_AUTHENTICATION is `true`), read the way loadConfig reads it, for the function
 * registration at start-up (src/functions/index.ts): anything but `true` keeps the people's routes key-protected.
 */
export function signInConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return (env.APP_SERVICE_AUTHENTICATION ?? '').trim().toLowerCase() === 'true';
}

/** An app role's value: no spaces, printable ASCII, not starting with a dot (as Entra ID accepts it). */
const APP_ROLE =
  /^[A-Za-z0-9!#$%&'()*+,\-/:;<=>?@[\]^_`{|}~][A-Za-z0-9!#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]{0,249}$/;

/** Reads and validates the settings; throws ConfigError naming every wrong one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: { setting: string; message: string }[] = [];
  const get = (name: SettingName): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? SETTINGS[name] : value.trim();
  };
  const check = <T>(name: SettingName, schema: z.ZodType<T>, fallback: T): T => {
    const parsed = schema.safeParse(get(name));
    if (parsed.success) return parsed.data;
    problems.push({ setting: name, message: parsed.error.issues.map((i) => i.message).join('; ') });
    return fallback;
  };
  const url = (name: SettingName): string | undefined => {
    const value = get(name);
    if (value === '') return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        throw new Error('not http(s)');
      return value.replace(/\/+$/, '');
    } catch {
      // Never echo a value that may hold a key (a connection string pasted into an endpoint setting).
      const shown = /key|sig|secret|password|token/i.test(value)
        ? 'the value (not shown: it looks like it holds a key)'
        : `"${value}"`;
      problems.push({ setting: name, message: `${shown} is not an http(s) URL` });
      return undefined;
    }
  };
  const emails = (name: SettingName): string[] => {
    const list = splitList(get(name));
    const bad = list.filter((e) => !isEmailAddress(e));
    if (bad.length > 0)
      problems.push({ setting: name, message: `not e-mail addresses: ${bad.join(', ')}` });
    return list.filter((e) => isEmailAddress(e));
  };

  for (const name of ['SCAN_SCHEDULE', 'DIGEST_SCHEDULE'] as const) {
    const message = validateSchedule(get(name));
    if (message) problems.push({ setting: name, message });
  }

  let scope: Scope = { kind: 'tenant' };
  const scopeKind = get('SCAN_SCOPE');
  if (scopeKind === 'managementGroups') {
    const ids = splitList(get('SCAN_MANAGEMENT_GROUPS'));
    if (ids.length === 0) {
      problems.push({
        setting: 'SCAN_MANAGEMENT_GROUPS',
        message: 'required when SCAN_SCOPE is managementGroups',
      });
    }
    scope = { kind: 'managementGroups', ids };
  } else if (scopeKind === 'subscriptions') {
    const ids = splitList(get('SCAN_SUBSCRIPTIONS'));
    const bad = ids.filter((id) => !GUID.test(id));
    if (ids.length === 0) {
      problems.push({
        setting: 'SCAN_SUBSCRIPTIONS',
        message: 'required when SCAN_SCOPE is subscriptions',
      });
    } else if (bad.length > 0) {
      problems.push({
        setting: 'SCAN_SUBSCRIPTIONS',
        message: `not subscription ids (GUIDs): ${bad.join(', ')}`,
      });
    }
    scope = { kind: 'subscriptions', ids: ids.map((id) => id.toLowerCase()) };
  } else if (scopeKind !== 'tenant') {
    problems.push({
      setting: 'SCAN_SCOPE',
      message: `"${scopeKind}" is not one of tenant, managementGroups, subscriptions`,
    });
  }

  const excludeSubscriptions = splitList(get('SCAN_EXCLUDE_SUBSCRIPTIONS'));
  const badExcluded = excludeSubscriptions.filter((id) => !GUID.test(id));
  if (badExcluded.length > 0) {
    problems.push({
      setting: 'SCAN_EXCLUDE_SUBSCRIPTIONS',
      message: `not subscription ids (GUIDs): ${badExcluded.join(', ')}`,
    });
  }
  const excludeTypes = splitList(get('SCAN_EXCLUDE_TYPES'));
  const badTypes = excludeTypes.filter((t) => !/^[a-z0-9.]+\/[a-z0-9./]+$/i.test(t));
  if (badTypes.length > 0) {
    problems.push({
      setting: 'SCAN_EXCLUDE_TYPES',
      message: `not resource types (provider/type): ${badTypes.join(', ')}`,
    });
  }
  const excludeTags = get('SCAN_EXCLUDE_TAGS')
    .split(/[,;]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => ({
      raw: t,
      key: t.slice(0, t.indexOf('=')).trim(),
      value: t.slice(t.indexOf('=') + 1).trim(),
    }));
  const badTags = excludeTags.filter((t) => !t.raw.includes('=') || !t.key || !t.value);
  if (badTags.length > 0) {
    problems.push({
      setting: 'SCAN_EXCLUDE_TAGS',
      message: `not key=value pairs: ${badTags.map((t) => t.raw).join(', ')}`,
    });
  }
  const filter: ScopeFilter = {
    excludeSubscriptions: excludeSubscriptions.map((id) => id.toLowerCase()),
    excludeResourceGroups: get('SCAN_EXCLUDE_RESOURCE_GROUPS')
      .split(/[,;]+/)
      .map((g) => g.trim())
      .filter(Boolean),
    excludeTypes: excludeTypes.map((t) => t.toLowerCase()),
    excludeTags: excludeTags.map(({ key, value }) => ({ key, value })),
  };

  const credential = check(
    'CREDENTIAL_MODE',
    z.enum(['default', 'emulator'], { message: 'must be "default" or "emulator"' }),
    'default',
  );

  let tables: TablesConnection = { kind: 'connectionString', value: 'UseDevelopmentStorage=true' };
  const tablesConnection = get('TABLES_CONNECTION_STRING');
  const tablesEndpoint = url('TABLES_ENDPOINT');
  if (tablesConnection && tablesEndpoint) {
    problems.push({
      setting: 'TABLES_CONNECTION_STRING',
      message: 'set either TABLES_CONNECTION_STRING or TABLES_ENDPOINT, not both',
    });
  } else if (tablesEndpoint) {
    tables = { kind: 'identity', endpoint: tablesEndpoint };
  } else if (tablesConnection) {
    tables = { kind: 'connectionString', value: tablesConnection };
  } else {
    problems.push({
      setting: 'TABLES_ENDPOINT',
      message:
        'set TABLES_ENDPOINT (identity-based, in Azure) or TABLES_CONNECTION_STRING (e.g. UseDevelopmentStorage=true)',
    });
  }

  let queueConnection: QueueConnection = { kind: 'none' };
  const queueConnectionString = get('SCAN_QUEUE_CONNECTION_STRING');
  const queueEndpoint = url('SCAN_QUEUE_ENDPOINT');
  if (queueConnectionString && queueEndpoint) {
    problems.push({
      setting: 'SCAN_QUEUE_CONNECTION_STRING',
      message: 'set either SCAN_QUEUE_CONNECTION_STRING or SCAN_QUEUE_ENDPOINT, not both',
    });
  } else if (queueEndpoint) {
    queueConnection = { kind: 'identity', endpoint: queueEndpoint };
  } else if (queueConnectionString) {
    queueConnection = { kind: 'connectionString', value: queueConnectionString };
  }
  // Queue names: 3-63 lower-case letters, digits and single hyphens; the poison queue adds "-poison" (7).
  // https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata
  const queueName = get('SCAN_QUEUE_NAME');
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(queueName) || queueName.length > 56) {
    problems.push({
      setting: 'SCAN_QUEUE_NAME',
      message: `"${queueName.slice(0, 80)}" is not a queue name: 3 to 56 lower-case letters, digits and single hyphens (the poison queue adds "-poison")`,
    });
  }

  let emailConnection: EmailConnection = { kind: 'none' };
  const emailConnectionString = get('COMMUNICATION_SERVICES_CONNECTION_STRING');
  const emailEndpoint = url('COMMUNICATION_SERVICES_ENDPOINT');
  if (emailConnectionString && emailEndpoint) {
    problems.push({
      setting: 'COMMUNICATION_SERVICES_CONNECTION_STRING',
      message:
        'set either COMMUNICATION_SERVICES_CONNECTION_STRING or COMMUNICATION_SERVICES_ENDPOINT, not both',
    });
  } else if (emailEndpoint) {
    emailConnection = { kind: 'identity', endpoint: emailEndpoint };
  } else if (emailConnectionString) {
    if (
      !/endpoint=https?:\/\/[^;]+/i.test(emailConnectionString) ||
      !/accesskey=[^;]+/i.test(emailConnectionString)
    ) {
      problems.push({
        setting: 'COMMUNICATION_SERVICES_CONNECTION_STRING',
        message: 'must look like endpoint=https://...;accesskey=... (the value is not shown)',
      });
    }
    emailConnection = { kind: 'connectionString', value: emailConnectionString };
  }
  const sender = get('EMAIL_SENDER');
  if (sender && !isEmailAddress(sender))
    problems.push({ setting: 'EMAIL_SENDER', message: `"${sender}" is not an e-mail address` });
  if (emailConnection.kind !== 'none' && !sender) {
    problems.push({
      setting: 'EMAIL_SENDER',
      message: 'required when Communication Services is configured',
    });
  }

  const thresholdList = splitList(get('DEADLINE_THRESHOLDS_DAYS')).map(Number);
  let thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS;
  const [t7, t30, t90, t180] = thresholdList;
  if (
    thresholdList.length !== 4 ||
    thresholdList.some((n) => !Number.isInteger(n) || n < 0) ||
    t7 === undefined ||
    t30 === undefined ||
    t90 === undefined ||
    t180 === undefined ||
    !(t7 < t30 && t30 < t90 && t90 < t180)
  ) {
    problems.push({
      setting: 'DEADLINE_THRESHOLDS_DAYS',
      message: `"${get('DEADLINE_THRESHOLDS_DAYS')}" must be four increasing whole numbers of days, like 7,30,90,180`,
    });
  } else {
    thresholds = { due7: t7, due30: t30, due90: t90, due180: t180 };
  }

  const ownerTags = splitList(get('OWNER_TAGS'));
  if (ownerTags.length === 0)
    problems.push({ setting: 'OWNER_TAGS', message: 'needs at least one tag name' });

  const tablePrefix = check(
    'TABLE_PREFIX',
    z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9]{0,39}$/,
        'must be letters and digits, starting with a letter, at most 40',
      ),
    'readiness',
  );

  const flag = (name: SettingName): boolean => {
    const value = get(name).toLowerCase();
    if (value === 'true') return true;
    if (value !== 'false') problems.push({ setting: name, message: 'must be "true" or "false"' });
    return false;
  };

  // Where the Resource Graph token may go (see src/core/arm-endpoint.ts).
  const graphEndpoint = url('RESOURCE_GRAPH_ENDPOINT') ?? SETTINGS.RESOURCE_GRAPH_ENDPOINT;
  const graphTrusted = flag('RESOURCE_GRAPH_ENDPOINT_TRUSTED');
  let graphScope: string | undefined;
  try {
    const trust = endpointTrust(graphEndpoint, credential, {
      trusted: graphTrusted,
      name: 'RESOURCE_GRAPH_ENDPOINT',
      trustOption: 'RESOURCE_GRAPH_ENDPOINT_TRUSTED=true',
    });
    graphScope = trust.kind === 'loopback' ? undefined : trust.scope;
  } catch (error) {
    if (!(error instanceof UntrustedEndpointError)) throw error;
    problems.push({ setting: 'RESOURCE_GRAPH_ENDPOINT', message: error.detail });
  }

  // Who may be mailed: EMAIL_ALLOWED_DOMAINS; required in Azure (App Service sets WEBSITE_SITE_NAME), locally the
  // domains of the default and operator recipients.
  const defaultRecipients = emails('DIGEST_DEFAULT_RECIPIENTS');
  const operatorRecipients = emails('OPERATOR_RECIPIENTS');
  const domainList = splitList(get('EMAIL_ALLOWED_DOMAINS')).map((d) =>
    d.replace(/^@|^\*\./, '').toLowerCase(),
  );
  const badDomains = domainList.filter((d) => !isDomainName(d));
  if (badDomains.length > 0) {
    problems.push({
      setting: 'EMAIL_ALLOWED_DOMAINS',
      message: `not domain names: ${badDomains.join(', ')}`,
    });
  }
  const inAzure = Boolean(env.WEBSITE_SITE_NAME);
  if (domainList.length === 0 && inAzure && emailConnection.kind !== 'none') {
    problems.push({
      setting: 'EMAIL_ALLOWED_DOMAINS',
      message:
        'required in Azure: the domains owners may be mailed in, comma-separated (e.g. contoso.com)',
    });
  }
  const recipientDomains = [
    ...new Set([...defaultRecipients, ...operatorRecipients].map(domainOf)),
  ];
  const allowedDomains =
    domainList.length > 0
      ? domainList.filter(isDomainName)
      : recipientDomains.length > 0 || emailConnection.kind !== 'none'
        ? recipientDomains
        : undefined;
  const outside = [...defaultRecipients, ...operatorRecipients].filter(
    (a) => !inAllowedDomains(a, allowedDomains ?? []),
  );
  if (outside.length > 0 && domainList.length > 0) {
    problems.push({
      setting: 'EMAIL_ALLOWED_DOMAINS',
      message: `does not cover the configured recipients: ${outside.join(', ')}`,
    });
  }

  const platformContact = get('PLATFORM_CONTACT');
  if (platformContact && !isEmailAddress(platformContact))
    problems.push({ setting: 'PLATFORM_CONTACT', message: 'must be one e-mail address' });

  const tokenKey = get('CONTINUATION_TOKEN_KEY');
  if (tokenKey && tokenKey.length < 32) {
    problems.push({
      setting: 'CONTINUATION_TOKEN_KEY',
      message: 'must be at least 32 characters (the value is not shown)',
    });
  }
  // Sign-in: the principal headers are trusted only behind App Service Authentication. In Azure the platform says
  // whether it is on (WEBSITE_AUTH_ENABLED=True, as Microsoft.Identity.Web reads it): a setting that claims it while
  // it is off would let anyone send a principal header, so it stops start-up.
  const appServiceAuthentication = flag('APP_SERVICE_AUTHENTICATION');
  const groupId = get('PLATFORM_TEAM_GROUP_ID');
  const appRole = get('PLATFORM_TEAM_APP_ROLE');
  if (groupId && !GUID.test(groupId))
    problems.push({
      setting: 'PLATFORM_TEAM_GROUP_ID',
      message: "must be a group's object id (a GUID)",
    });
  if (appRole && !APP_ROLE.test(appRole))
    problems.push({
      setting: 'PLATFORM_TEAM_APP_ROLE',
      message: 'must be an app role value (no spaces, at most 250 characters)',
    });
  if (appServiceAuthentication && !groupId && !appRole)
    problems.push({
      setting: 'PLATFORM_TEAM_GROUP_ID',
      message:
        'required when APP_SERVICE_AUTHENTICATION is true (or PLATFORM_TEAM_APP_ROLE): who sees every finding and manages exemptions',
    });
  if (
    appServiceAuthentication &&
    inAzure &&
    (env.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() !== 'true'
  )
    problems.push({
      setting: 'APP_SERVICE_AUTHENTICATION',
      message:
        'is true but App Service Authentication is not enabled on this app (WEBSITE_AUTH_ENABLED): principal headers would not be trustworthy',
    });
  const domainLimits = isAzureManagedSender(sender)
    ? EMAIL_LIMITS.azureManagedDomain
    : EMAIL_LIMITS.customDomain;

  const config: Config = {
    scanSchedule: get('SCAN_SCHEDULE'),
    digestSchedule: get('DIGEST_SCHEDULE'),
    scope,
    filter,
    resourceGraph: {
      endpoint: graphEndpoint,
      caFile: get('RESOURCE_GRAPH_CA_FILE') || undefined,
      batchSize: check('RESOURCE_GRAPH_BATCH_SIZE', positiveInt(1, 1000), 300),
      pageSize: check('RESOURCE_GRAPH_PAGE_SIZE', positiveInt(1, 1000), 1000),
      pageTimeoutMs: check('RESOURCE_GRAPH_PAGE_TIMEOUT_SECONDS', positiveInt(1, 600), 60) * 1000,
      scope: graphScope,
    },
    credential,
    tables,
    tablesCaFile: get('TABLES_CA_FILE') || undefined,
    tablePrefix,
    scanQueue: {
      connection: queueConnection,
      name: queueName,
      caFile: get('SCAN_QUEUE_CA_FILE') || undefined,
    },
    email: {
      connection: emailConnection,
      sender: sender || undefined,
      caFile: get('COMMUNICATION_SERVICES_CA_FILE') || undefined,
      defaultRecipients,
      operatorRecipients,
      maxPerMinute:
        get('EMAIL_MAX_PER_MINUTE') === ''
          ? domainLimits.perMinute
          : check('EMAIL_MAX_PER_MINUTE', positiveInt(1, 10_000), domainLimits.perMinute),
      maxPerHour:
        get('EMAIL_MAX_PER_HOUR') === ''
          ? domainLimits.perHour
          : check('EMAIL_MAX_PER_HOUR', positiveInt(1, 100_000), domainLimits.perHour),
      allowedDomains,
    },
    appServiceAuthentication,
    platformTeam: {
      groupId: groupId && GUID.test(groupId) ? groupId.toLowerCase() : undefined,
      appRole: appRole || undefined,
    },
    // Unset: a random key per process (tokens then page on the instance that issued them).
    continuationTokenKey: tokenKey || randomBytes(32).toString('base64url'),
    ownerTags,
    thresholds,
    retentionDays: check('RETENTION_DAYS', positiveInt(1, 3650), 180),
    exemptionMaxDays: check('EXEMPTION_MAX_DAYS', positiveInt(1, 3650), 180),
    coverageDropFraction: check(
      'COVERAGE_DROP_FRACTION',
      z.coerce
        .number({ message: 'must be a number' })
        .min(0, 'must be at least 0')
        .max(1, 'must be at most 1'),
      0.2,
    ),
    leaseSeconds: check('SCAN_LEASE_SECONDS', positiveInt(30, 86_400), 900),
    dashboardUrl: url('DASHBOARD_URL'),
    platformContact: platformContact
      ? isEmailAddress(platformContact)
        ? platformContact
        : undefined
      : defaultRecipients[0],
    retirementFeed: get('RETIREMENT_FEED') || undefined,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
