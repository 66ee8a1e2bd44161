// `readiness export` then `scan --input` gives exactly the findings of a live scan of the same tenant.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../dev/emulators/resource-graph/server.js';
import { demoTenant } from '../../dev/tenants/demo.js';
import { run, tempFiles } from '../support/cli.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

/** Manual retirements' queries need Resource Graph: a live scan runs them, `scan --input` cannot. */
const MANUAL = new Set(
  DEFAULT_CATALOG.filter((r) => r.retirement?.origin === 'Manual').map((r) => `${r.id}|`),
);
const notManual = (k: string) => ![...MANUAL].some((m) => k.startsWith(m));

const files = tempFiles('readiness-export-');
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

type Row = { ruleId: string; resourceId: string; severity: string; message: string };
const keys = (findings: Row[]) =>
  findings.map((f) => `${f.ruleId}|${f.resourceId.toLowerCase()}|${f.message}`).sort();

describe('readiness export', () => {
  it('writes every row a scan reads: scan --input then finds exactly what a live scan finds', async () => {
    const output = join(files.dir, 'export.json');
    const live = ['--tenant', '--endpoint', graph.url, '--ca', ca];
    const exported = await run('export', ...live, '--output', output);
    expect(exported.stderr).toMatch(/wrote \d+ rows of \d+ subscriptions \(\d+ pages\) to /);
    expect(exported.code).toBe(0);
    const rows = JSON.parse(readFileSync(output, 'utf8')) as { type: string }[];
    expect(rows.some((r) => r.type.toLowerCase() === 'microsoft.resources/subscriptions')).toBe(
      true,
    );
    expect(rows.some((r) => r.type.toLowerCase() === 'microsoft.web/hostingenvironments')).toBe(
      true,
    );

    const now = ['--now', '2026-12-01', '--format', 'json'];
    const offline = await run('scan', '--input', output, ...now);
    const online = await run('scan', ...live, ...now);
    expect(offline.code).toBe(0);
    expect(online.code).toBe(0);
    const a = keys((JSON.parse(offline.stdout) as { findings: Row[] }).findings);
    const b = keys((JSON.parse(online.stdout) as { findings: Row[] }).findings);
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(b.filter(notManual));
    // The retirement sources' rows are in the export, and their findings in both scans.
    for (const type of ['microsoft.advisor/metadata', 'microsoft.advisor/recommendations'])
      expect(rows.some((r) => r.type.toLowerCase() === type)).toBe(true);
    expect(a.some((k) => k.startsWith('retirement/health-zk3n-8rt|'))).toBe(true);
    expect(b.some((k) => !notManual(k))).toBe(true);
    // The blockers the README's old one-table recipe lost are all there.
    for (const rule of [
      'vnet-api-management',
      'vnet-app-service-environment',
      'vnet-hdinsight',
      'vnet-peered',
    ])
      expect(
        a.some((k) => k.startsWith(`classic/${rule}|`)),
        rule,
      ).toBe(true);
  });

  it('scan --input lists the Manual retirements it did not evaluate, as the live scan does, with the reason', async () => {
    const output = join(files.dir, 'export-manual.json');
    const live = ['--tenant', '--endpoint', graph.url, '--ca', ca];
    expect((await run('export', ...live, '--output', output)).code).toBe(0);
    const now = ['--now', '2026-12-01', '--format', 'json'];
    type Notice = {
      code: string;
      message: string;
      retirements?: { ruleId: string; reason: string }[];
    };
    const listOf = (stdout: string) =>
      (JSON.parse(stdout) as { notices?: Notice[] }).notices?.find(
        (n) => n.code === 'retirements-not-evaluated',
      );
    const offline = await run('scan', '--input', output, ...now);
    const online = await run('scan', ...live, ...now);
    const a = listOf(offline.stdout);
    const b = listOf(online.stdout);
    // The query the product does not accept: the same entry and reason, offline and live.
    const refused = {
      ruleId: 'retirement/insights-classic-application-insights',
      reason: expect.stringMatching(/join/),
    };
    expect(b?.retirements).toEqual([refused]);
    expect(a?.retirements).toEqual(
      expect.arrayContaining([
        refused,
        // Offline, an accepted query cannot run either (it needs Resource Graph), and says so.
        {
          ruleId: 'retirement/sql-api-version-2014-04-01',
          reason: expect.stringMatching(/Resource Graph/),
        },
      ]),
    );
    expect(a?.retirements).toHaveLength(2);
    for (const r of [offline, online])
      expect(r.stderr).toMatch(/not evaluated: retirement\/insights-classic-application-insights/);
  });

  it('exports the catalog read at tenant scope also for a management-group scope (its rows belong to no subscription)', async () => {
    const output = join(files.dir, 'export-mg.json');
    const r = await run(
      'export',
      '--management-group',
      'contoso-root',
      '--endpoint',
      graph.url,
      '--ca',
      ca,
      '--output',
      output,
    );
    expect(r.code).toBe(0);
    const rows = JSON.parse(readFileSync(output, 'utf8')) as { type: string }[];
    expect(
      rows.filter((row) => row.type.toLowerCase() === 'microsoft.advisor/metadata'),
    ).not.toEqual([]);
  });

  it("a live scan gives an Advisor finding the owner tagged on its resource's own row", async () => {
    const vm = '/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines/vm-build01';
    const live = ['--tenant', '--endpoint', graph.url, '--ca', ca];
    const r = await run('scan', ...live, '--now', '2026-12-01', '--format', 'json');
    expect(r.code).toBe(0);
    const finding = (
      JSON.parse(r.stdout) as { findings: (Row & { owners?: string })[] }
    ).findings.find(
      (f) => f.ruleId === 'retirement/compute-unmanaged-disks' && f.resourceId.endsWith(vm),
    );
    expect(finding?.owners).toBe('build-team@contoso.com');
  });

  it('offline as live: an Advisor finding takes the owner tagged on its resource, and the tag exclusions', async () => {
    const vm = '/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines/vm-build01';
    const output = join(files.dir, 'export-owners.json');
    const live = ['--tenant', '--endpoint', graph.url, '--ca', ca];
    expect((await run('export', ...live, '--output', output)).code).toBe(0);
    const now = ['--now', '2026-12-01', '--format', 'json'];
    const onVm = (stdout: string) =>
      (JSON.parse(stdout) as { findings: (Row & { owners?: string })[] }).findings.filter(
        (f) => f.ruleId === 'retirement/compute-unmanaged-disks' && f.resourceId.endsWith(vm),
      );
    const offline = await run('scan', '--input', output, ...now);
    expect(onVm(offline.stdout).map((f) => f.owners)).toEqual(['build-team@contoso.com']);
    const exclude = ['--exclude-tag', 'owner=build-team@contoso.com'];
    for (const scan of [
      await run('scan', '--input', output, ...now, ...exclude),
      await run('scan', ...live, ...now, ...exclude),
    ]) {
      expect(scan.code).toBe(0);
      expect(onVm(scan.stdout)).toEqual([]);
    }
  });

  it('says it needs a scope', async () => {
    const r = await run('export', '--output', join(files.dir, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/export needs a scope/);
  });

  it('a failing page stops the export and says the file is incomplete', async () => {
    graph.setFaults({
      rules: [
        {
          when: { page: 0, queryContains: 'classiccompute' },
          respond: { status: 400, code: 'BadRequest' },
        },
      ],
    });
    const output = join(files.dir, 'broken.json');
    const r = await run(
      'export',
      '--tenant',
      '--endpoint',
      graph.url,
      '--ca',
      ca,
      '--output',
      output,
    );
    graph.setFaults({});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/export stopped, .*broken\.json is incomplete/);
  });
});

describe('scan --input says what it cannot use', () => {
  it('refuses an az graph query export that still carries a skip token', async () => {
    const input = files.file(
      'page1.json',
      JSON.stringify({
        count: 1,
        data: [
          {
            id: '/subscriptions/x/resourceGroups/r/providers/Microsoft.ClassicCompute/virtualMachines/v',
            type: 'microsoft.classiccompute/virtualmachines',
          },
        ],
        skip_token: 'ew0KI...',
        total_records: 5000,
      }),
    );
    const r = await run('scan', '--input', input, '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/page1\.json: the export is partial .*skip token/);
  });

  it('exits 2 when every row is malformed: nothing was scanned', async () => {
    const input = files.file('bad.json', JSON.stringify([{ nope: 1 }, 42, 'x']));
    const r = await run('scan', '--input', input, '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing was scanned: all 3 row\(s\) are malformed/);
  });
});

describe('scan --input names the rules a one-table export leaves undecided', () => {
  it('lists them for the old resources-only recipe, and says nothing for readiness export', async () => {
    const classicOnly = demoTenant().resources.filter((r) =>
      String(r.type).toLowerCase().startsWith('microsoft.classic'),
    );
    const input = files.file('classic-only.json', JSON.stringify(classicOnly));
    const r = await run('scan', '--input', input, '--format', 'json', '--now', '2026-12-01');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { notices?: { code: string; message: string }[] };
    const notice = report.notices?.find((n) => n.code === 'tables-missing');
    for (const rule of [
      'vnet-api-management',
      'vnet-app-service-environment',
      'vnet-hdinsight',
      'vnet-peered',
    ])
      expect(notice?.message).toContain(`classic/${rule}`);
    expect(r.stderr).toMatch(/readiness export --tenant/);
  });
});
