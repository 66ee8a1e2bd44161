// The composition root: builds the adapters from the validated configuration, once per process.
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { loadConfig } from './config.js';
import { createCredential } from './adapters/credential.js';
import { jsonLogger } from './adapters/logger.js';
import { ResourceGraphSource } from './adapters/resource-graph/source.js';
import { ArmSubscriptionLister } from './adapters/arm/subscription-lister.js';
import { TableFindingStore } from './adapters/tables/table-store.js';
import { inAllowedDomains } from './core/email-address.js';
import {
  MailError,
  type DigestLedger,
  type ExemptionStore,
  type FindingStore,
  type Logger,
  type Mailer,
  type ResourceSource,
  type ScanLedger,
  type SubscriptionLister,
} from './app/ports.js';
import { TableExemptionStore } from './adapters/tables/exemption-store.js';
import type { SendDigestsDeps } from './app/send-digests.js';
import type { OperationsDeps } from './app/operations.js';
import { AcsMailer } from './adapters/email/acs-mailer.js';
import { TableDigestLedger } from './adapters/tables/digest-ledger.js';
import { metaOf } from './rules/define-rule.js';
import { renderDigestEmail } from './views/digest-email.js';
import type { RunScanDeps } from './app/run-scan.js';
import type { BatchScanDeps } from './app/scan-batches.js';
import { StorageQueue } from './adapters/queue/storage-queue.js';
import { TableScanLedger } from './adapters/tables/scan-ledger.js';
import { TableQuotaAllocation } from './adapters/tables/quota-allocation.js';
import { buildCatalog } from './rules/index.js';
import {
  applyFeed,
  BUILT_IN_RETIREMENTS,
  parseRetirementFeed,
} from './rules/retirement/catalog.js';
import type { Rule } from './rules/define-rule.js';

export interface Services {
  readonly config: Config;
  readonly source: ResourceSource;
  /** Lists tenant and management-group scopes through ARM (no 10,000-subscription cap). */
  readonly lister: SubscriptionLister;
  readonly store: FindingStore;
  readonly ledger: DigestLedger;
  readonly exemptions: ExemptionStore;
  /** Absent when no Communication Services is configured: digests are then off. */
  readonly mailer: Mailer | undefined;
  readonly rules: readonly Rule[];
  readonly log: Logger;
  readonly clock: () => Date;
  /** The batch queue and the plan ledger; absent without SCAN_QUEUE_*: scans then run in one process. */
  readonly batches?: { readonly queue: StorageQueue; readonly ledger: ScanLedger } | undefined;
}

function readPem(file: string | undefined, setting: string): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${setting}: cannot read "${file}": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

export function createServices(
  config: Config = loadConfig(),
  log: Logger = jsonLogger(),
): Services {
  const credential = createCredential(config.credential);
  const ca = readPem(config.resourceGraph.caFile, 'RESOURCE_GRAPH_CA_FILE');
  const tablesCa = readPem(config.tablesCaFile, 'TABLES_CA_FILE');
  const queued = config.scanQueue.connection.kind !== 'none';
  const source = new ResourceGraphSource({
    credential,
    endpoint: config.resourceGraph.endpoint,
    scope: config.resourceGraph.scope,
    ...(ca ? { ca } : {}),
    batchSize: config.resourceGraph.batchSize,
    pageSize: config.resourceGraph.pageSize,
    pageTimeoutMs: config.resourceGraph.pageTimeoutMs,
    // Scans on the queue run on several workers (instances, processes) with one identity, so one quota: they
    // agree in `{prefix}Quota` how much of each window each sends.
    ...(queued
      ? {
          allocation: new TableQuotaAllocation({
            connection: config.tables,
            credential,
            prefix: config.tablePrefix,
            ...(tablesCa ? { ca: tablesCa } : {}),
          }),
          warn: (message: string, fields: Record<string, unknown>) => log.warn(message, fields),
        }
      : {}),
  });
  const lister = new ArmSubscriptionLister({
    credential,
    endpoint: config.resourceGraph.endpoint,
    scope: config.resourceGraph.scope,
    ...(ca ? { ca } : {}),
  });
  const store = new TableFindingStore({
    connection: config.tables,
    credential,
    prefix: config.tablePrefix,
    ...(tablesCa ? { ca: tablesCa } : {}),
  });
  const ledger = new TableDigestLedger({
    connection: config.tables,
    credential,
    prefix: config.tablePrefix,
    ...(tablesCa ? { ca: tablesCa } : {}),
  });
  const emailCa = readPem(config.email.caFile, 'COMMUNICATION_SERVICES_CA_FILE');
  const { connection, sender } = config.email;
  const acs =
    connection.kind === 'none' || !sender
      ? undefined
      : new AcsMailer({ connection, credential, sender, ...(emailCa ? { ca: emailCa } : {}) });
  const mailer = acs && onlyToAllowedDomains(acs, config.email.allowedDomains ?? []);
  const exemptions = new TableExemptionStore({
    connection: config.tables,
    credential,
    prefix: config.tablePrefix,
    ...(tablesCa ? { ca: tablesCa } : {}),
  });
  const queueCa = readPem(config.scanQueue.caFile, 'SCAN_QUEUE_CA_FILE');
  const queueConnection = config.scanQueue.connection;
  const batches =
    queueConnection.kind === 'none'
      ? undefined
      : {
          queue: new StorageQueue({
            connection: queueConnection,
            name: config.scanQueue.name,
            credential,
            ...(queueCa ? { ca: queueCa } : {}),
          }),
          ledger: new TableScanLedger({
            connection: config.tables,
            credential,
            prefix: config.tablePrefix,
            ...(tablesCa ? { ca: tablesCa } : {}),
          }),
        };
  return {
    config,
    source,
    lister,
    store,
    exemptions,
    ledger,
    batches,
    mailer,
    rules: catalogOf(config.retirementFeed),
    log,
    clock: () => new Date(),
  };
}

/** The last gate before the e-mail service: an address outside the allowed domains is never sent to. */
export function onlyToAllowedDomains(mailer: Mailer, domains: readonly string[]): Mailer {
  return {
    send: async (email, signal) => {
      if (!inAllowedDomains(email.to, domains))
        throw new MailError(`${email.to} is outside EMAIL_ALLOWED_DOMAINS; not sent`, 'rejected');
      return mailer.send(email, signal);
    },
    outcome: (operationId, signal) => mailer.outcome(operationId, signal),
  };
}

/** The rule catalog, with retirement dates refreshed from RETIREMENT_FEED (a feed file) when set. */
function catalogOf(feed: string | undefined): readonly Rule[] {
  if (!feed) return buildCatalog();
  if (/^https?:\/\//i.test(feed)) {
    throw new Error(
      'RETIREMENT_FEED: the app reads a feed file shipped with it (a URL works with the CLI only)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(feed, 'utf8'));
  } catch (error) {
    throw new Error(
      `RETIREMENT_FEED: cannot read "${feed}": ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return buildCatalog(applyFeed(BUILT_IN_RETIREMENTS, parseRetirementFeed(json)));
}

/** What a scan needs, from the services: one place, for the timer, the HTTP trigger and the scripts. */
export function scanDepsOf(s: Services): RunScanDeps {
  return {
    source: s.source,
    lister: s.lister,
    store: s.store,
    rules: s.rules,
    log: s.log,
    clock: s.clock,
    thresholds: s.config.thresholds,
    leaseSeconds: s.config.leaseSeconds,
    retentionDays: s.config.retentionDays,
    coverageDropFraction: s.config.coverageDropFraction,
    exemptions: s.exemptions,
    filter: s.config.filter,
    owners: {
      tagNames: s.config.ownerTags,
      defaultRecipients: s.config.email.defaultRecipients,
      allowedDomains: s.config.email.allowedDomains,
    },
  };
}

/** What a scan run as batches on the queue needs; undefined when no queue is configured. */
export function batchScanDepsOf(s: Services): BatchScanDeps | undefined {
  if (!s.batches) return undefined;
  return { ...scanDepsOf(s), queue: s.batches.queue, ledger: s.batches.ledger };
}

/** Where e-mails link a rule's doc: the app's own doc route when its address is known. */
export function ruleDocUrlOf(config: Config): (ruleId: string) => string {
  const origin = config.dashboardUrl ? new URL(config.dashboardUrl).origin : undefined;
  return (ruleId) =>
    origin ? `${origin}/api/rules/${ruleId}?format=html` : `docs/rules/${ruleId}.md`;
}

/** What a digest run needs, from the services; undefined when e-mail is not configured. */
export function digestDepsOf(s: Services): SendDigestsDeps | undefined {
  if (!s.mailer) return undefined;
  const ruleDocUrl = ruleDocUrlOf(s.config);
  const rules = s.rules.map(metaOf);
  return {
    store: s.store,
    ledger: s.ledger,
    mailer: s.mailer,
    render: (digest) =>
      renderDigestEmail(digest, {
        rules,
        dashboardUrl: s.config.dashboardUrl,
        ruleDocUrl,
        now: s.clock(),
        platformContact: s.config.platformContact,
      }),
    log: s.log,
    clock: s.clock,
    thresholds: s.config.thresholds,
    limits: { perMinute: s.config.email.maxPerMinute, perHour: s.config.email.maxPerHour },
    leaseSeconds: s.config.leaseSeconds,
  };
}

/** What the operator checks need, from the services. */
export function operationsDepsOf(s: Services): OperationsDeps {
  return {
    store: s.store,
    mailer: s.mailer,
    recipients: s.config.email.operatorRecipients,
    log: s.log,
    clock: s.clock,
    schedule: s.config.scanSchedule,
    dashboardUrl: s.config.dashboardUrl,
  };
}

let current: Services | undefined;

/** The process-wide services, built on first use (settings are validated then). */
export function services(): Services {
  current ??= createServices();
  return current;
}

/** For the local host and tests: use these services instead of building from process.env. */
export function setServices(value: Services | undefined): void {
  current = value;
}
