// Starts Azurite's table and queue servers from node_modules as child processes (the PIDs held are the servers') and
// stops them cleanly. The queue service carries the scan's batches (the queue trigger polls it as the Functions host does).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './ports.js';

const require = createRequire(import.meta.url);

export const AZURITE_ACCOUNT = 'devstoreaccount1';
// The well-known Azurite development key (public, documented by Microsoft; not a secret).
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  readonly port: number;
  readonly connectionString: string;
  /** The table endpoint of the account, `http(s)://127.0.0.1:PORT/devstoreaccount1` (TABLES_ENDPOINT). */
  readonly tableEndpoint: string;
  /** The queue service's port and endpoint, `http(s)://127.0.0.1:PORT/devstoreaccount1` (SCAN_QUEUE_ENDPOINT). */
  readonly queuePort: number;
  readonly queueEndpoint: string;
  /** PEM of the certificate to trust when it serves HTTPS. */
  readonly ca?: string;
  readonly process: ChildProcess;
  readonly queueProcess: ChildProcess;
  stop(): Promise<void>;
  /** Kills it hard (a crash), for failure tests. */
  kill(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for persistent data; in-memory when absent. */
  readonly location?: string;
  readonly port?: number;
  /** Port of the queue service (a free one when absent). */
  readonly queuePort?: number;
  readonly debugLog?: string;
  /**
   * Serve HTTPS with this certificate and accept OAuth bearer tokens (`--oauth basic`): Azurite then checks a
   * token's issuer, lifetime and storage audience (https://storage.azure.com, …), as Table Storage does; the
   * Azure SDKs send tokens only over HTTPS. See https://github.com/Azure/Azurite#oauth-configuration.
   */
  readonly oauth?: { readonly cert: string; readonly key: string };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function serviceMain(service: 'table' | 'queue'): string {
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', service, 'main.js');
}

export function azuriteConnectionString(
  port: number,
  protocol: 'http' | 'https' = 'http',
  queuePort?: number,
): string {
  const queue =
    queuePort === undefined
      ? ''
      : `QueueEndpoint=${protocol}://127.0.0.1:${queuePort}/${AZURITE_ACCOUNT};`;
  return `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${protocol}://127.0.0.1:${port}/${AZURITE_ACCOUNT};${queue}`;
}

interface Server {
  readonly child: ChildProcess;
  stopWith(signal: NodeJS.Signals): Promise<void>;
}

/** One Azurite service in its own process, ready once its port accepts connections. */
async function startService(
  service: 'table' | 'queue',
  port: number,
  options: AzuriteOptions,
  tlsArgs: readonly string[],
): Promise<Server> {
  const args = [
    serviceMain(service),
    `--${service}Host`,
    '127.0.0.1',
    `--${service}Port`,
    String(port),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    ...(options.debugLog ? ['--debug', `${options.debugLog}.${service}`] : []),
    ...tlsArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave an orphan server behind if this process ends without stopping it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.removeListener('exit', orphanGuard));
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  // Ready when the port accepts connections (with --silent Azurite prints nothing).
  while (!(await accepts(port))) {
    if (child.exitCode !== null)
      throw new Error(
        `Azurite ${service} exited (${child.exitCode}) before it was ready:\n${output}`,
      );
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite ${service} did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    child,
    stopWith: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  let certDir: string | undefined;
  const tlsArgs: string[] = [];
  if (options.oauth) {
    certDir = mkdtempSync(join(tmpdir(), 'azurite-tls-'));
    writeFileSync(join(certDir, 'cert.pem'), options.oauth.cert);
    writeFileSync(join(certDir, 'key.pem'), options.oauth.key, { mode: 0o600 });
    tlsArgs.push(
      '--cert',
      join(certDir, 'cert.pem'),
      '--key',
      join(certDir, 'key.pem'),
      '--oauth',
      'basic',
    );
  }
  const removeCerts = () => {
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  };
  const queuePort = options.queuePort ?? (await freePort());
  let table: Server;
  let queue: Server;
  try {
    [table, queue] = await Promise.all([
      startService('table', port, options, tlsArgs),
      startService('queue', queuePort, options, tlsArgs),
    ]);
  } catch (error) {
    removeCerts();
    throw error;
  }
  let left = 2;
  const removeWhenBothGone = () => {
    if (--left === 0) removeCerts();
  };
  table.child.once('exit', removeWhenBothGone);
  queue.child.once('exit', removeWhenBothGone);
  const stopWith = async (signal: NodeJS.Signals) => {
    await Promise.all([table.stopWith(signal), queue.stopWith(signal)]);
  };
  const protocol = options.oauth ? 'https' : 'http';
  return {
    port,
    connectionString: azuriteConnectionString(port, protocol, queuePort),
    tableEndpoint: `${protocol}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    queuePort,
    queueEndpoint: `${protocol}://127.0.0.1:${queuePort}/${AZURITE_ACCOUNT}`,
    ...(options.oauth ? { ca: options.oauth.cert } : {}),
    process: table.child,
    queueProcess: queue.child,
    // Only SIGINT makes Azurite flush its last writes to disk.
    stop: () => stopWith('SIGINT'),
    kill: () => stopWith('SIGKILL'),
  };
}
