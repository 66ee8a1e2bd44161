// Starts Azurite's table server from node_modules as a child process (the PID held is the server's) and stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
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

export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
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
  return {
    port,
    connectionString: azuriteConnectionString(port),
    process: child,
    // Only SIGINT makes Azurite flush its last writes to disk.
    stop: () => stopWith('SIGINT'),
    kill: () => stopWith('SIGKILL'),
  };
}
