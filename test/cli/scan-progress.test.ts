// A live `scan` shows its progress on a terminal (standard error, one line rewritten in place) and stays quiet when
// standard error is not a terminal (a pipe, a CI log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../dev/emulators/resource-graph/server.js';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { main } from '../../src/cli/main.js';
import { tempFiles } from '../support/cli.js';

const files = tempFiles('readiness-progress-');
let graph: RunningEmulator;
let ca: string;
beforeAll(async () => {
  graph = await startResourceGraphEmulator({
    tenant: demoTenant(),
    port: 0,
    quota: { requests: 15, windowMs: 1_000 },
  });
  ca = files.file('ca.pem', graph.ca);
});
afterAll(async () => {
  await graph.close();
});

async function liveScan(stderrIsTty: boolean): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(
    [
      'scan',
      '--tenant',
      '--endpoint',
      graph.url,
      '--ca',
      ca,
      '--format',
      'json',
      '--output',
      `${files.dir}/out-${String(stderrIsTty)}.json`,
    ],
    { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false, stderrIsTty },
  );
  return { code, stderr };
}

describe('scan progress on the command line', () => {
  it('rewrites one progress line on a terminal, ending with every subscription done', async () => {
    const { code, stderr } = await liveScan(true);
    expect(code).toBe(0);
    const lines = stderr.split('\r').filter((l) => l.includes('subscriptions ·'));
    expect(lines.length).toBeGreaterThan(0);
    const n = DEMO_SUBSCRIPTIONS.length;
    expect(lines.at(-1)).toContain(`${n}/${n} subscriptions`);
    expect(lines.at(-1)).toMatch(/\d+ pages · [\d,]+ rows · waited .* on the quota/);
  });

  it('prints no progress when standard error is not a terminal', async () => {
    const { code, stderr } = await liveScan(false);
    expect(code).toBe(0);
    expect(stderr).not.toContain('\r');
    expect(stderr).not.toContain('subscriptions ·');
  });
});
