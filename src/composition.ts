// The composition root: builds the adapters from the validated configuration, once per process.
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { loadConfig } from './config.js';
import { createCredential } from './adapters/credential.js';
import { jsonLogger } from './adapters/logger.js';
import { ResourceGraphSource } from './adapters/resource-graph/source.js';
import { TableFindingStore } from './adapters/tables/table-store.js';
import type { FindingStore, Logger, ResourceSource } from './app/ports.js';
import type { RunScanDeps } from './app/run-scan.js';
import { buildCatalog } from './rules/index.js';
import type { Rule } from './rules/define-rule.js';

export interface Services {
  readonly config: Config;
  readonly source: ResourceSource;
  readonly store: FindingStore;
  readonly rules: readonly Rule[];
  readonly log: Logger;
  readonly clock: () => Date;
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
  const source = new ResourceGraphSource({
    credential,
    endpoint: config.resourceGraph.endpoint,
    ...(ca ? { ca } : {}),
    batchSize: config.resourceGraph.batchSize,
    pageSize: config.resourceGraph.pageSize,
    pageTimeoutMs: config.resourceGraph.pageTimeoutMs,
  });
  const store = new TableFindingStore({
    connection: config.tables,
    credential,
    prefix: config.tablePrefix,
  });
  return { config, source, store, rules: buildCatalog(), log, clock: () => new Date() };
}

/** What a scan needs, from the services: one place, for the timer, the HTTP trigger and the scripts. */
export function scanDepsOf(s: Services): RunScanDeps {
  return {
    source: s.source,
    store: s.store,
    rules: s.rules,
    log: s.log,
    clock: s.clock,
    thresholds: s.config.thresholds,
    leaseSeconds: s.config.leaseSeconds,
    retentionDays: s.config.retentionDays,
    owners: { tagNames: s.config.ownerTags, defaultRecipients: s.config.email.defaultRecipients },
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
