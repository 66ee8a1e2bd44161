// `npm start -- --help` prints the start options; a bad option or a busy port says what to do, not a stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const START = join(import.meta.dirname, '..', '..', 'dist', 'dev', 'start.js');
const stateDir = mkdtempSync(join(tmpdir(), 'readiness-start-options-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function start(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [START, '--state-dir', stateDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOCAL_FUNCTION_KEY: 'a-key-for-the-start-options-test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start options', () => {
  it('--help prints the options and exits 0', async () => {
    const r = await start('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm start/);
    for (const option of ['--port', '--tenant', '--state-dir']) expect(r.stdout).toContain(option);
  });

  it('an unknown option or a bad value names it, shows the usage, exits 2', async () => {
    const unknown = await start('--prot', '8080');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--prot/);
    expect(unknown.stderr).toMatch(/Usage: npm start/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const bad = await start('--port', 'eighty');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port: "eighty" is not a whole number/);
  });

  it('a busy port names the option that picks another', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const r = await start('--port', String(port), '--quiet');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(`port ${port} is busy .*npm start -- --port ${port + 1}`),
      );
    } finally {
      server.close();
    }
  }, 120_000);
});
