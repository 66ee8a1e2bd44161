// Starts Azurite's table server from node_modules as a child process (the PID held is the server's) and stops it cleanly.
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
  /** PEM of the certificate to trust when it serves HTTPS. */
  readonly ca?: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
  /** Kills it hard (a crash), for failure tests. */
  kill(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for persistent data; in-memory when absent. */
  readonly location?: string;
  readonly port?: number;
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

function tableMain(): string {
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'table', 'main.js');
}

export function azuriteConnectionString(port: number, protocol: 'http' | 'https' = 'http'): string {
  return `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${protocol}://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
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
  const args = [
    tableMain(),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(port),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    ...(options.debugLog ? ['--debug', options.debugLog] : []),
    ...tlsArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave an orphan server behind if this process ends without stopping it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => {
    process.removeListener('exit', orphanGuard);
    removeCerts();
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  // Ready when the port accepts connections (with --silent Azurite prints nothing).
  while (!(await accepts(port))) {
    if (child.exitCode !== null)
      throw new Error(`Azurite exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.stdout?.resume();
  child.stderr?.resume();
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  };
  const protocol = options.oauth ? 'https' : 'http';
  return {
    port,
    connectionString: azuriteConnectionString(port, protocol),
    tableEndpoint: `${protocol}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    ...(options.oauth ? { ca: options.oauth.cert } : {}),
    process: child,
    // Only SIGINT makes Azurite flush its last writes to disk.
    stop: () => stopWith('SIGINT'),
    kill: () => stopWith('SIGKILL'),
  };
}
