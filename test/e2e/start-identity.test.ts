// `CREDENTIAL_MODE=default npm start`: the local stack on the production credential path (managed identity, bearer
// tokens everywhere), as a real process with no key or connection string in its environment, reaches a succeeded scan.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../dev/ports.js';

const ROOT = join(import.meta.dirname, '..', '..');
const KEY = randomBytes(24).toString('base64url');
const KEYED =
  /CONNECTION_STRING$|ACCOUNT_KEY$|ACCESS_KEY$|^AZURE_CLIENT_SECRET$|^IDENTITY_|^MSI_|^AZURE_CLIENT_ID$/;

let child: ChildProcess | undefined;
let output = '';
let exited: number | null | undefined;
let url = '';
let stateDir = '';

async function launch(): Promise<void> {
  const start = join(ROOT, 'dist', 'dev', 'start.js');
  const port = await freePort();
  url = `http://localhost:${port}`;
  output = '';
  exited = undefined;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !KEYED.test(name)));
  const spawned = spawn(
    process.execPath,
    [start, '--port', String(port), '--state-dir', stateDir, '--quiet'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CREDENTIAL_MODE: 'default', LOCAL_FUNCTION_KEY: KEY },
    },
  );
  child = spawned;
  spawned.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  spawned.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  spawned.once('exit', (code) => {
    if (child === spawned) exited = code;
  });
}

beforeAll(async () => {
  const start = join(ROOT, 'dist', 'dev', 'start.js');
  expect(existsSync(start), `${start} (the vitest global setup builds dist/)`).toBe(true);
  stateDir = mkdtempSync(join(tmpdir(), 'readiness-start-identity-'));
  await launch();
});

afterAll(async () => {
  const pid = child?.pid;
  if (pid !== undefined && exited === undefined) {
    const gone = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    try {
      process.kill(-pid, 'SIGINT');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 20_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

it('runs the first scan and digest with managed identity and no key configured', async () => {
  const deadline = Date.now() + 90_000;
  let last = 'no answer yet';
  let attempts = 0;
  let status: { lastScan?: { status?: string; error?: string } | null } = {};
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      // Another test's stack can take a port between the check and the listen: then start again.
      if (output.includes('EADDRINUSE') && attempts++ < 3) {
        await launch();
        continue;
      }
      throw new Error(`the local stack exited (${exited}):\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/status`, { headers: { 'x-functions-key': KEY } });
      if (response.ok) {
        status = (await response.json()) as typeof status;
        last = status.lastScan?.status ?? 'none yet';
        if (last === 'succeeded' && /digests: \d+ sent/.test(output)) break;
        if (last === 'failed' || last === 'partial') break;
      } else last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(status.lastScan?.status, `${last}\n${output}`).toBe('succeeded');
  expect(output).toMatch(/identity\s+managed identity http:\/\/127\.0\.0\.1:\d+\/msi\/token/);
  // The first scan went through the queue (Azurite's queue service, over HTTPS with the identity's token).
  expect(output).toMatch(/first scan: scan-\S+, \d+ batch(es)? on queue readiness-scan-batches/);
  expect(output).toMatch(/digests: [1-9]\d* sent/);
  expect(readdirSync(join(stateDir, 'outbox')).some((f) => f.endsWith('.eml'))).toBe(true);
  // Function keys still guard the API in this mode.
  expect((await fetch(`${url}/api/status`)).status).toBe(401);
}, 120_000);
