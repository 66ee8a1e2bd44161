// Starts the real parts a test needs — Azurite and the Resource Graph emulator — and wires the app's adapters to them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import {
  startResourceGraphEmulator,
  type EmulatorOptions,
  type RunningEmulator,
  type Tenant,
} from '../../dev/emulators/resource-graph/server.js';
import { emulatorCredential } from '../../src/adapters/credential.js';
import { silentLogger } from '../../src/adapters/logger.js';
import {
  ResourceGraphSource,
  type ResourceGraphSourceOptions,
} from '../../src/adapters/resource-graph/source.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import { ArmSubscriptionLister } from '../../src/adapters/arm/subscription-lister.js';
import type { Logger } from '../../src/app/ports.js';
import { runScan, type RunScanDeps } from '../../src/app/run-scan.js';
import type { Scope } from '../../src/config.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

let azurite: RunningAzurite | undefined;
let users = 0;
let tables = 0;

/** One Azurite per test file, shared; each stack gets its own table prefix. */
export async function sharedAzurite(): Promise<RunningAzurite> {
  users++;
  azurite ??= await startAzurite();
  return azurite;
}

async function releaseAzurite(): Promise<void> {
  users--;
  if (users === 0 && azurite) {
    const a = azurite;
    azurite = undefined;
    await a.stop();
  }
}

export interface StackOptions {
  readonly tenant: Tenant;
  readonly quota?: EmulatorOptions['quota'];
  readonly faults?: EmulatorOptions['faults'];
  readonly subscriptionLimit?: number;
  /** Scans list tenant and management-group scopes through the emulator's ARM listings, as the app does. */
  readonly lister?: boolean;
  readonly latency?: EmulatorOptions['latency'];
  readonly armPageSize?: number;
  readonly source?: Partial<ResourceGraphSourceOptions>;
  readonly log?: Logger;
}

export interface Stack {
  readonly graph: RunningEmulator;
  readonly azurite: RunningAzurite;
  readonly store: TableFindingStore;
  readonly caFile: string;
  readonly prefix: string;
  /** A fresh source (fresh pacer and counters) for each scan. */
  source(overrides?: Partial<ResourceGraphSourceOptions>): ResourceGraphSource;
  /** The ARM subscription lister, pointed at the emulator. */
  lister(): ArmSubscriptionLister;
  deps(overrides?: Partial<RunScanDeps>): RunScanDeps;
  scan(scope?: Scope, overrides?: Partial<RunScanDeps>): ReturnType<typeof runScan>;
  /** Settings that point the app at this stack (for loadConfig/createServices). */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const az = await sharedAzurite();
  const graph = await startResourceGraphEmulator({
    tenant: options.tenant,
    port: 0,
    // The documented ratio (15 requests a window) on a shorter window, so tests stay quick.
    quota: options.quota ?? { requests: 15, windowMs: 1_000 },
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.subscriptionLimit ? { subscriptionLimit: options.subscriptionLimit } : {}),
    ...(options.latency ? { latency: options.latency } : {}),
    ...(options.armPageSize ? { armPageSize: options.armPageSize } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'readiness-stack-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, graph.ca);
  const prefix = `t${process.pid}n${++tables}`;
  const store = new TableFindingStore({
    connection: { kind: 'connectionString', value: az.connectionString },
    prefix,
  });
  const source = (overrides: Partial<ResourceGraphSourceOptions> = {}) =>
    new ResourceGraphSource({
      credential: emulatorCredential,
      endpoint: graph.url,
      ca: graph.ca,
      retryBaseMs: 20,
      pageTimeoutMs: 5_000,
      ...options.source,
      ...overrides,
    });
  const lister = () =>
    new ArmSubscriptionLister({
      credential: emulatorCredential,
      endpoint: graph.url,
      ca: graph.ca,
    });
  const deps = (overrides: Partial<RunScanDeps> = {}): RunScanDeps => ({
    source: source(),
    ...(options.lister ? { lister: lister() } : {}),
    store,
    rules: DEFAULT_CATALOG,
    log: options.log ?? silentLogger,
    clock: () => new Date(),
    ...overrides,
  });
  return {
    graph,
    azurite: az,
    store,
    caFile,
    prefix,
    source,
    lister,
    deps,
    scan: (scope = { kind: 'tenant' }, overrides = {}) =>
      runScan(deps(overrides), { scope, trigger: 'cli' }),
    env: () => ({
      CREDENTIAL_MODE: 'emulator',
      RESOURCE_GRAPH_ENDPOINT: graph.url,
      RESOURCE_GRAPH_CA_FILE: caFile,
      TABLES_CONNECTION_STRING: az.connectionString,
      TABLE_PREFIX: prefix,
    }),
    stop: async () => {
      await graph.close();
      await releaseAzurite();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
