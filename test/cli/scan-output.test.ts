// `scan` says who owns each finding and why, writes what --output asks for, and confirms it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoTenant } from '../../dev/tenants/demo.js';
import { run, tempFiles } from '../support/cli.js';

const files = tempFiles('readiness-scan-output-');
const t = demoTenant();
// Subscription rows as resourcecontainers holds them (name = display name), as `readiness export` writes them.
const subscriptions = t.subscriptions.map((s) => ({
  id: `/subscriptions/${s.subscriptionId}`,
  name: s.displayName,
  type: 'microsoft.resources/subscriptions',
  subscriptionId: s.subscriptionId,
  tags: s.tags ?? {},
}));
const input = files.file(
  'demo.json',
  JSON.stringify([
    ...t.resources,
    ...(t.authorizationResources ?? []),
    ...(t.resourceGroups ?? []),
    ...subscriptions,
  ]),
);
const base = ['scan', '--input', input, '--now', '2026-12-01'];

type F = {
  resourceName: string;
  subscriptionId: string;
  subscriptionName?: string;
  owners?: string;
  ownerReason?: string;
};

describe('scan output', () => {
  it('carries the owner and why, as the digests do', async () => {
    const r = await run(...base, '--format', 'json', '--default-recipient', 'platform@contoso.com');
    expect(r.code).toBe(0);
    const findings = (JSON.parse(r.stdout) as { findings: F[] }).findings;
    expect(findings.every((f) => f.owners && f.ownerReason)).toBe(true);
    // Subscriptions by the names people know.
    const names = new Map(t.subscriptions.map((s) => [s.subscriptionId, s.displayName]));
    expect(
      findings
        .filter((f) => f.subscriptionName !== names.get(f.subscriptionId))
        .map((f) => [f.subscriptionId, f.subscriptionName]),
    ).toEqual([]);
    expect(findings.some((f) => f.ownerReason?.startsWith('tag '))).toBe(true);
    expect(
      findings.some(
        (f) =>
          f.owners === 'platform@contoso.com' && /default recipients/.test(f.ownerReason ?? ''),
      ),
    ).toBe(true);
    const csv = await run(...base, '--format', 'csv');
    expect(csv.stdout.split('\r\n')[0]).toMatch(/,owners,ownerReason$/);
    const table = await run(...base, '--format', 'table');
    expect(table.stdout).toMatch(/OWNER/);
    expect(table.stdout).toMatch(/@[a-z.]+ \(tag\)/);
  });

  it('writes HTML for report.html, and says what it wrote', async () => {
    const out = join(files.dir, 'report.html');
    const r = await run(...base, '--output', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote the html report \(\d+ findings\) to .*report\.html/);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('refuses a --format that contradicts the --output extension', async () => {
    const r = await run(...base, '--format', 'json', '--output', join(files.dir, 'report.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--format json contradicts --output .*report\.html \(a \.html file is html\)/,
    );
  });

  it('names an output folder that does not exist', async () => {
    const r = await run(...base, '--output', join(files.dir, 'no', 'such', 'report.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folder .*no\/such does not exist/);
  });
});
