// `readiness plan` on an export: the units in order, as text, Markdown or JSON, and where it wrote them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoTenant } from '../../dev/tenants/demo.js';
import { run, tempFiles } from '../support/cli.js';

const files = tempFiles('readiness-plan-');
const t = demoTenant();
const input = files.file(
  'demo.json',
  JSON.stringify([...t.resources, ...(t.authorizationResources ?? [])]),
);

describe('readiness plan', () => {
  it('prints the units in order with their blockers and steps', async () => {
    const r = await run('plan', '--input', input, '--format', 'text', '--now', '2026-12-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Migration plan: \d+ units \(\d+ ready, \d+ blocked or waiting\)/);
    expect(r.stdout).toMatch(/ 1\. READY /);
    expect(r.stdout).toMatch(/BLOCKED vnet-core-classic/);
    expect(r.stdout).toContain(
      "Move-AzureVirtualNetwork -Validate -VirtualNetworkName 'vnet-core-classic'",
    );
    expect(r.stdout).toContain('what to do:');
  });

  it('writes Markdown by the file extension and says what it wrote', async () => {
    const out = join(files.dir, 'plan.md');
    const r = await run('plan', '--input', input, '--output', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote the plan \(\d+ units\) to .*plan\.md/);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Migration plan\n\n\| # \| unit \|/);
  });

  it('is JSON when the output is not a terminal', async () => {
    const r = await run('plan', '--input', input);
    const plan = JSON.parse(r.stdout) as { units: { order: number; ready: boolean }[] };
    expect(plan.units[0]).toMatchObject({ order: 1, ready: true });
  });

  it('names a missing input', async () => {
    const r = await run('plan', '--input', join(files.dir, 'nope.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json/);
  });
});

describe('readiness --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'),
    ) as { version: string };
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
