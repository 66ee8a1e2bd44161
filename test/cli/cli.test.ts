// The `readiness` command line, run in-process with captured output.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoTenant, expectedDemoRuleIds } from '../../dev/tenants/demo.js';
import { run, tempFiles } from '../support/cli.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

const { dir, file } = tempFiles('readiness-cli-');

const tenant = demoTenant();
const exportRows = [...tenant.resources, ...(tenant.authorizationResources ?? [])];
const exportFile = file(
  'export.json',
  JSON.stringify({ totalRecords: exportRows.length, count: exportRows.length, data: exportRows }),
);

describe('readiness scan --input', () => {
  it('prints the JSON of contracts.md for a Resource Graph export', async () => {
    const { code, stdout } = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'json',
      '--now',
      '2026-11-26',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.scannedAt).toBe('2026-11-26T00:00:00.000Z');
    expect(report.resources).toBe(exportRows.length);
    expect(Object.keys(report.summary)).toEqual(['bySeverity', 'byRule']);
    const first = report.findings[0];
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining([
        'ruleId',
        'severity',
        'resourceId',
        'resourceName',
        'resourceType',
        'subscriptionId',
        'resourceGroup',
        'message',
      ]),
    );
    const retirement = report.findings.find(
      (f: { ruleId: string }) => f.ruleId === 'retirement/classic-vm',
    );
    expect(retirement).toMatchObject({ deadline: '2023-09-06', urgency: 'overdue' });
    const migration = report.findings.find(
      (f: { ruleId: string }) => f.ruleId === 'classic/vm-endpoint-acl',
    );
    expect(migration).not.toHaveProperty('deadline');
    // Stable order: subscription, resource id, rule id.
    const keys = report.findings.map(
      (f: { subscriptionId: string; resourceId: string; ruleId: string }) =>
        [f.subscriptionId, f.resourceId.toLowerCase(), f.ruleId].join('|'),
    );
    expect(keys).toEqual([...keys].sort());
    // Every rule of the catalog fires somewhere in the demo tenant.
    expect(Object.keys(report.summary.byRule).sort()).toEqual(expectedDemoRuleIds().sort());
  });

  it('accepts a bare array too, and --fail-on trips exit 1', async () => {
    const bare = file('bare.json', JSON.stringify(exportRows));
    expect(
      (await run('scan', '--input', bare, '--format', 'json', '--fail-on', 'blocker')).code,
    ).toBe(1);
    const clean = file(
      'clean.json',
      JSON.stringify([
        {
          id: '/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/s',
          type: 'microsoft.storage/storageaccounts',
        },
      ]),
    );
    expect(
      (await run('scan', '--input', clean, '--format', 'json', '--fail-on', 'info')).code,
    ).toBe(0);
  });

  it('prints a readable table with control characters neutralised', async () => {
    const { code, stdout } = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'table',
      '--now',
      '2026-11-26',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Scanned \d+ resources at 2026-11-26T00:00:00.000Z: \d+ blockers/);
    expect(stdout).toContain('classic/vm-endpoint-acl');
    expect(stdout).not.toMatch(/\u001b/);
  });

  it('exits 2 naming the file for unreadable input', async () => {
    const broken = file('broken.json', '{"data": [1, 2');
    const bad = await run('scan', '--input', broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(broken);
    expect(bad.stderr).toMatch(/not valid JSON/);

    const wrongShape = file('shape.json', '{"rows": []}');
    const shape = await run('scan', '--input', wrongShape);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain(wrongShape);
    expect(shape.stderr).toMatch(/"data" array/);

    const missing = await run('scan', '--input', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);
  });

  it('skips malformed rows with a warning and scans the rest', async () => {
    const mixed = file(
      'mixed.json',
      JSON.stringify([42, null, { type: 'x' }, ...exportRows.slice(0, 20)]),
    );
    const { code, stdout, stderr } = await run('scan', '--input', mixed, '--format', 'json');
    expect(code).toBe(0);
    expect(stderr).toMatch(/skipped 3 malformed row\(s\): row 0: row is not an object/);
    expect(JSON.parse(stdout).resources).toBe(20);
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await run('scan')).code).toBe(2);
    expect((await run('scan', '--input', exportFile, '--now', 'tomorrow')).stderr).toMatch(
      /--now: "tomorrow" is not a date/,
    );
    expect((await run('scan', '--subscription', 'not-a-guid')).stderr).toMatch(
      /not subscription ids/,
    );
    expect((await run('scan', '--input', exportFile, '--format', 'yaml')).code).toBe(2);
  });
});

describe('readiness scan: exclusions and exemptions', () => {
  it('leaves excluded subscriptions, groups, types and tags out of an export scan', async () => {
    const all = JSON.parse((await run('scan', '--input', exportFile, '--format', 'json')).stdout);
    const sub = all.findings[0].subscriptionId as string;
    const { code, stdout } = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'json',
      '--exclude-subscription',
      sub,
      '--exclude-type',
      'microsoft.classicnetwork/reservedips',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.findings.some((f: { subscriptionId: string }) => f.subscriptionId === sub)).toBe(
      false,
    );
    expect(
      report.findings.some(
        (f: { resourceType: string }) => f.resourceType === 'microsoft.classicnetwork/reservedips',
      ),
    ).toBe(false);
    expect((await run('scan', '--input', exportFile, '--exclude-tag', 'novalue')).code).toBe(2);
  });

  it('marks findings an exemptions file covers, counts them apart and keeps them from --fail-on', async () => {
    const all = JSON.parse(
      (await run('scan', '--input', exportFile, '--format', 'json', '--now', '2026-11-26')).stdout,
    );
    const blockers = all.findings.filter((f: { severity: string }) => f.severity === 'blocker');
    const yaml = blockers
      .map(
        (f: { resourceId: string; ruleId: string }) =>
          `- scope: { resourceId: "${f.resourceId}" }\n  rule: ${f.ruleId}\n  expiresOn: "2027-01-31"\n  justification: Accepted until the Q1 migration window\n  createdBy: lead@contoso.com\n`,
      )
      .join('');
    const exemptions = file('exemptions.yaml', yaml);
    const { code, stdout } = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'json',
      '--now',
      '2026-11-26',
      '--exemptions',
      exemptions,
      '--fail-on',
      'blocker',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.summary.exempted).toBe(blockers.length);
    expect(report.summary.bySeverity.blocker).toBe(0);
    expect(report.findings.filter((f: { exemptionId?: string }) => f.exemptionId)).toHaveLength(
      blockers.length,
    );
    // After the date, they count again.
    const later = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'json',
      '--now',
      '2027-02-01',
      '--exemptions',
      exemptions,
      '--fail-on',
      'blocker',
    );
    expect(later.code).toBe(1);
    expect(JSON.parse(later.stdout).summary.exempted).toBe(0);
    const invalid = file(
      'invalid.yaml',
      '- scope: { subscriptionId: nope }\n  rule: classic/\n  expiresOn: "2027-01-31"\n  justification: Accepted for the whole pack\n  createdBy: a@b.co\n',
    );
    const rejected = await run('scan', '--input', exportFile, '--exemptions', invalid);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/invalid\.yaml: exemption 0: scope/);
    const broken = file('broken.yaml', '- scope: [');
    const bad = await run('scan', '--input', exportFile, '--exemptions', broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('broken.yaml');
  });
});

describe('readiness rules', () => {
  it('lists the whole catalog as JSON', async () => {
    const { code, stdout } = await run('rules', '--format', 'json');
    expect(code).toBe(0);
    const rules = JSON.parse(stdout);
    expect(rules.map((r: { id: string }) => r.id)).toEqual(DEFAULT_CATALOG.map((r) => r.id));
    expect(rules[0]).toHaveProperty('doc');
    expect(rules[0]).not.toHaveProperty('evaluate');
  });
});
