// An `az resource list -o json` export (id, name, type in mixed case, location; no properties): what a new
// user has at hand. Unknown is not absent: no migration finding that depends on properties, a notice
// saying what the input could decide, and the type-based findings (retirements, manual checks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../dev/emulators/resource-graph/server.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { run, tempFiles } from '../support/cli.js';

const { file } = tempFiles('readiness-az-list-');
const SUB = '3f0c2a4e-5b7d-4c1e-9a8f-1d2e3f4a5b6c';

const listed = (provider: string, kind: string, name: string, location = 'westeurope') => ({
  id: `/subscriptions/${SUB}/resourceGroups/Legacy-RG/providers/${provider}/${kind}/${name}`,
  name,
  type: `${provider}/${kind}`,
  location,
  resourceGroup: 'Legacy-RG',
  tags: {},
});

const rows = [
  listed('Microsoft.ClassicCompute', 'virtualMachines', 'web-01'),
  listed('Microsoft.ClassicCompute', 'virtualMachines', 'web-02'),
  listed('Microsoft.ClassicCompute', 'virtualMachines', 'sql-01'),
  listed('Microsoft.ClassicCompute', 'domainNames', 'contoso-web'),
  listed('Microsoft.ClassicNetwork', 'virtualNetworks', 'legacy-vnet'),
  listed('Microsoft.ClassicStorage', 'storageAccounts', 'contosodisks'),
  listed('Microsoft.ClassicStorage', 'storageAccounts', 'contosobackup'),
  // An ARM resource with no rule: not counted in the notice.
  listed('Microsoft.Compute', 'virtualMachines', 'arm-01'),
];
const exportFile = file('az-resource-list.json', JSON.stringify(rows));

const typeOnly = new Set(DEFAULT_CATALOG.filter((r) => r.typeOnly).map((r) => r.id));

interface Report {
  findings: { ruleId: string; resourceName: string }[];
  notices?: { code: string; rows: number; types: Record<string, number>; message: string }[];
}

describe('scan --input of an az resource list export (no properties)', () => {
  it('gives no finding that depends on properties, the type-based findings, and one notice', async () => {
    const { code, stdout, stderr } = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      'json',
      '--now',
      '2026-11-26',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    const ruleIds = new Set(report.findings.map((f) => f.ruleId));
    expect([...ruleIds].filter((id) => !typeOnly.has(id))).toEqual([]);
    expect(report.findings.map((f) => f.ruleId)).not.toContain('classic/vm-outside-vnet');
    expect(report.findings.map((f) => f.ruleId)).not.toContain(
      'classic/storage-account-standalone',
    );
    // The retirements, once per classic resource, and the manual checks of the VNet.
    const on = (ruleId: string) =>
      report.findings
        .filter((f) => f.ruleId === ruleId)
        .map((f) => f.resourceName)
        .sort();
    expect(on('retirement/classic-vm')).toEqual(['sql-01', 'web-01', 'web-02']);
    expect(on('retirement/cloud-services-classic')).toEqual(['contoso-web']);
    expect(on('retirement/classic-networking')).toEqual(['legacy-vnet']);
    expect(on('retirement/classic-storage')).toEqual(['contosobackup', 'contosodisks']);
    expect(on('classic/vnet-expressroute')).toEqual(['legacy-vnet']);

    // (An az resource list export also lacks the tables cross-resource rules read: that is its own notice.)
    const own = report.notices?.filter((n) => n.code === 'rows-without-properties');
    expect(own).toHaveLength(1);
    const notice = own?.[0];
    expect(notice).toMatchObject({
      code: 'rows-without-properties',
      rows: 7,
      types: {
        'microsoft.classiccompute/domainnames': 1,
        'microsoft.classiccompute/virtualmachines': 3,
        'microsoft.classicnetwork/virtualnetworks': 1,
        'microsoft.classicstorage/storageaccounts': 2,
      },
    });
    expect(notice?.message).toContain('only type-based rules');
    expect(notice?.message).toContain('az graph query');

    // Said once on standard error, with the same facts.
    const lines = stderr.split('\n').filter((l) => l.includes('no properties'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('7 rows');
    expect(lines[0]).toContain('microsoft.classiccompute/virtualmachines (3)');
    expect(lines[0]).toContain('only type-based rules');
    expect(lines[0]).toContain(`az graph query -q "resources`);
  });

  it('carries the notice in SARIF as a tool execution notification', async () => {
    const { code, stdout } = await run('scan', '--input', exportFile, '--format', 'sarif');
    expect(code).toBe(0);
    const sarif = JSON.parse(stdout) as {
      runs: {
        invocations?: {
          executionSuccessful: boolean;
          toolExecutionNotifications: {
            level: string;
            message: { text: string };
            descriptor: { id: string };
          }[];
        }[];
      }[];
    };
    const notes = (sarif.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? []).filter(
      (n) => n.descriptor.id === 'rows-without-properties',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      level: 'warning',
      descriptor: { id: 'rows-without-properties' },
    });
    expect(notes[0]?.message.text).toContain('7 rows');
  });

  it('shows the notice in the HTML report', async () => {
    const { stdout } = await run('scan', '--input', exportFile, '--format', 'html');
    expect(stdout).toContain('class="notice"');
    expect(stdout).toContain('7 rows have no properties');
  });

  it('says nothing when every row carries properties', async () => {
    const withProperties = file(
      'with-properties.json',
      JSON.stringify(rows.map((r) => ({ ...r, properties: {} }))),
    );
    const { stdout, stderr } = await run('scan', '--input', withProperties, '--format', 'json');
    expect(stderr).not.toContain('no properties');
    expect(
      (JSON.parse(stdout) as Report).notices?.filter((n) => n.code === 'rows-without-properties') ??
        [],
    ).toEqual([]);
  });
});

describe('a live scan whose rows come back without properties', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startResourceGraphEmulator({
      tenant: {
        subscriptions: [{ subscriptionId: SUB, displayName: 'Legacy' }],
        resources: rows.map((r) => ({ ...r, subscriptionId: SUB })),
      },
      quota: { requests: 100_000, windowMs: 1000 },
    });
  });
  afterAll(() => emulator.close());

  it('says so once on standard error and in the report', async () => {
    const ca = file('emulator-ca.pem', emulator.ca);
    const { code, stdout, stderr } = await run(
      'scan',
      '--subscription',
      SUB,
      '--endpoint',
      emulator.url,
      '--ca',
      ca,
      '--format',
      'json',
    );
    expect(stderr.split('\n').filter((l) => l.includes('no properties'))).toHaveLength(1);
    expect(stderr).toContain('Resource Graph returned them without the properties column');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.notices?.[0]).toMatchObject({ code: 'rows-without-properties', rows: 7 });
    expect(report.findings.map((f) => f.ruleId)).not.toContain('classic/vm-outside-vnet');
    expect(report.findings.map((f) => f.ruleId)).toContain('retirement/classic-vm');
  });
});
