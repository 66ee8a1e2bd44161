// The csv, html and sarif outputs of `scan`: rendered from a scan of the demo tenant, and through the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classicVmRow } from '../../dev/tenants/build.js';
import { demoTenant, HOSTILE_MARKUP, HOSTILE_SCRIPT } from '../../dev/tenants/demo.js';
import { buildReport, type ScanReport } from '../../src/app/report.js';
import { scanExport } from '../../src/app/scan-export.js';
import type { Finding } from '../../src/core/finding.js';
import { FORMATS, render } from '../../src/cli/formats.js';
import { csvField, FINDING_CSV_HEADER, findingCsvRow, toCsv } from '../../src/views/csv.js';
import { renderHtmlReport } from '../../src/cli/formats/html-report.js';
import { SARIF_LEVEL, toSarif, type SarifLog } from '../../src/cli/formats/sarif.js';
import { run } from '../support/cli.js';
import { metaOf } from '../../src/rules/define-rule.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { escapeHtml } from '../../src/views/html.js';

const NOW = new Date('2026-11-26T00:00:00Z');
const tenant = demoTenant();
const exportRows = [...tenant.resources, ...(tenant.authorizationResources ?? [])];
const { report } = scanExport(exportRows, { rules: DEFAULT_CATALOG, now: NOW });
const context = { rules: DEFAULT_CATALOG };
const metaById = new Map(DEFAULT_CATALOG.map((r) => [r.id, r]));

const HOSTILE_NAME = 'vm-<script>alert(1)</script>';
const HOSTILE_GROUP = '"quotes" & <b>';

/** A finding on a VM whose name, group and message come from a hostile tenant. */
const hostile: Finding = {
  ruleId: 'classic/vm-endpoint-acl',
  severity: 'blocker',
  resourceId: `/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/${HOSTILE_NAME}`,
  resourceName: HOSTILE_NAME,
  resourceType: 'microsoft.classiccompute/virtualmachines',
  subscriptionId: '00000000-0000-4000-8000-000000000001',
  resourceGroup: HOSTILE_GROUP,
  message: '=HYPERLINK("https://evil.example","click"), then\r\na second line',
};
const hostileReport: ScanReport = buildReport([hostile], 1, NOW);

/** A strict RFC 4180 reader: CRLF record ends, quoted fields, doubled quotes; anything else throws. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        throw new Error(`text after a closing quote at ${i}`);
      }
      continue;
    }
    const c = text[i] as string;
    if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n') {
      throw new Error(`bare LF at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record does not end with CRLF');
  return rows;
}

const guarded = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

describe('csv', () => {
  it('has the header and one record per finding, in the report order', () => {
    const text = render(report, 'csv', context);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      'ruleId',
      'severity',
      'resourceId',
      'resourceName',
      'resourceType',
      'subscriptionId',
      'resourceGroup',
      'message',
      'deadline',
      'urgency',
      'owners',
      'ownerReason',
    ]);
    expect(rows[0]).toEqual([...FINDING_CSV_HEADER]);
    expect(rows).toHaveLength(report.findings.length + 1);
    report.findings.forEach((f, i) => {
      expect(rows[i + 1]).toEqual(findingCsvRow(f).map(guarded));
    });
    const retirement = rows.find((r) => r[0] === 'retirement/classic-vm');
    expect(retirement?.slice(8, 10)).toEqual(['2023-09-06', 'overdue']);
  });

  it('quotes fields with commas, quotes and line breaks, and defuses formulas', () => {
    const rows = parseCsv(render(hostileReport, 'csv', context));
    expect(rows).toHaveLength(2);
    const record = rows[1] as string[];
    expect(record[3]).toBe(HOSTILE_NAME);
    expect(record[6]).toBe(HOSTILE_GROUP);
    expect(record[7]).toBe(`'${hostile.message}`);

    expect(toCsv([['a', 'b,c', 'say "hi"', 'x\ny', 'plain']])).toBe(
      'a,"b,c","say ""hi""","x\ny",plain\r\n',
    );
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const value = `${start}1+1`;
      expect(parseCsv(toCsv([[value]]))).toEqual([[`'${value}`]]);
    }
    expect(csvField('=SUM(A1,A2)')).toBe(`"'=SUM(A1,A2)"`);
    expect(csvField('a=b')).toBe('a=b');
    expect(toCsv([])).toBe('');
  });
});

/** The markup without the whitespace around tags (prettier lays the templates out freely). */
function flat(markup: string): string {
  return markup.replace(/\s+/g, ' ').replace(/\s*(<[^>]*>)\s*/g, '$1');
}

describe('html', () => {
  const page = flat(render(report, 'html', context));

  it('is one self-contained document: no scripts, nothing loaded from elsewhere', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toMatch(/<meta charset="utf-8" ?\/?>/);
    expect(page).toMatch(/<meta name="viewport" content="width=device-width[^"]*" ?\/?>/);
    expect(page).toMatch(/<html lang="en">/);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\bsrc\s*=/i);
    expect(page).not.toMatch(/@import/i);
    expect(page).not.toMatch(/url\(/i);
    expect(page).not.toMatch(/<(link|img|iframe|object|embed|base|form)\b/i);
    expect(page).not.toMatch(/\son[a-z]+\s*=/i);
    expect(page).toContain('Azure migration readiness report, 2026-11-26');
  });

  it('summarises by severity, rule and urgency, then lists one row per finding', () => {
    const { bySeverity } = report.summary;
    expect(page).toMatch(
      new RegExp(`Blockers</th><td>[^<]*</td><td class="num">${bySeverity.blocker}<`),
    );
    expect(page).toMatch(
      new RegExp(`Warnings</th><td>[^<]*</td><td class="num">${bySeverity.warning}<`),
    );
    expect(page).toMatch(new RegExp(`Info</th><td>[^<]*</td><td class="num">${bySeverity.info}<`));
    for (const [ruleId, count] of Object.entries(report.summary.byRule)) {
      const meta = metaById.get(ruleId);
      expect(meta).toBeDefined();
      expect(page).toContain(
        `>${escapeHtml(meta?.title)}</a></th><td><code>${ruleId}</code></td><td>`,
      );
      expect(page).toContain(escapeHtml(meta?.recommendation));
      for (const link of meta?.links ?? []) expect(page).toContain(`href="${escapeHtml(link)}"`);
      expect(page).toContain(`(${count})</caption>`);
    }
    expect(page).toMatch(/<th scope="row">Overdue<\/th><td><a href="#rule-\d+">Virtual Machines/);
    expect(page.match(/<tr class="finding">/g)).toHaveLength(report.findings.length);
    // Grouped by severity, most serious first.
    const blockers = page.indexOf('<h3>Blockers');
    const warnings = page.indexOf('<h3>Warnings');
    const info = page.indexOf('<h3>Info');
    expect(blockers).toBeGreaterThan(0);
    expect(blockers).toBeLessThan(warnings);
    expect(warnings).toBeLessThan(info);
  });

  it('is accessible: one h1, captions, every header cell scoped, severity in words', () => {
    expect(page.match(/<h1>/g)).toHaveLength(1);
    const tables = page.match(/<table>/g)?.length ?? 0;
    expect(page.match(/<caption>/g)).toHaveLength(tables);
    const headerCells = page.match(/<th[\s>]/g)?.length ?? 0;
    expect(page.match(/<th scope="(col|row)"/g)).toHaveLength(headerCells);
    expect(page).toContain('<span class="badge badge-blocker">Blocker</span>');
    // Anchors of the summary point at rule sections that exist.
    for (const [, anchor] of page.matchAll(/href="#(rule-\d+)"/g)) {
      expect(page).toContain(`<h4 id="${anchor}">`);
    }
  });

  it('escapes hostile names and neutralises unsafe links', () => {
    const rules = DEFAULT_CATALOG.map((r) =>
      r.id === hostile.ruleId
        ? { ...metaOf(r), links: ['javascript:alert(1)', 'https://learn.microsoft.com/x?a=1&b=2'] }
        : r,
    );
    const text = flat(renderHtmlReport(hostileReport, rules));
    expect(text).toContain('vm-&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('&quot;quotes&quot; &amp; &lt;b&gt;');
    expect(text).not.toContain(HOSTILE_NAME);
    expect(text).not.toContain(HOSTILE_GROUP);
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/href="javascript:/i);
    expect(text).toContain('<a href="#" rel="noreferrer">javascript:alert(1)</a>');
    expect(text).toContain('href="https://learn.microsoft.com/x?a=1&amp;b=2"');
    expect(text.match(/<tr class="finding">/g)).toHaveLength(1);
  });

  it("reuses the dashboard's sections and labels instead of its own copies (issue 16, 21)", () => {
    // Blockers by rule: the dashboard's ranked list, each entry pointing at its rule's section.
    const ranked = page.slice(page.indexOf('<ol class="ranked" id="rank-rules"'));
    expect(ranked.length).toBeLessThan(page.length);
    expect(ranked.slice(0, ranked.indexOf('</ol>'))).toMatch(/<a href="#rule-\d+"/);
    // Long-past retirements read as the dashboard says them.
    expect(page).toMatch(/overdue since<time datetime="\d{4}-\d{2}-\d{2}">/);
    const source = readFileSync(
      join(import.meta.dirname, '..', '..', 'src', 'cli', 'formats', 'html-report.ts'),
      'utf8',
    );
    expect(source).toContain("from '../../views/dashboard/");
    expect(source).not.toMatch(/const (SEVERITY_LABEL|URGENCY_LABEL)\b/);
    expect(source).not.toMatch(/function (badge|byText)\b/);
  });

  it('says so when there is nothing to report', () => {
    const empty = flat(render(buildReport([], 3, NOW), 'html', context));
    expect(empty).toContain('No findings');
    expect(empty).not.toContain('<tr class="finding">');
    expect(empty).toContain('No resource in this scan is affected by a retirement.');
  });
});

describe('sarif', () => {
  const text = render(report, 'sarif', context);
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0];

  it('is a SARIF 2.1.0 log with one run of the scanner', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('azure-readiness-scanner');
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
  });

  it('describes every rule that has a finding, sorted by id', () => {
    const ids = Object.keys(report.summary.byRule).sort();
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ids);
    for (const rule of run.tool.driver.rules) {
      const meta = metaById.get(rule.id);
      expect(rule.shortDescription.text).toBe(meta?.title);
      expect(rule.fullDescription.text).toContain(meta?.title);
      expect(rule.help.text).toBe(meta?.recommendation);
      expect(rule.helpUri).toBe(meta?.links[0]);
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.properties.severity).toBe(meta?.severity);
      expect(rule.properties.deadline).toBe(meta?.deadline);
    }
    expect(run.tool.driver.rules.find((r) => r.id === 'classic/vm-endpoint-acl')?.name).toBe(
      'ClassicVmEndpointAcl',
    );
  });

  it('has one result per finding, levels mapped, ruleIndex pointing at its rule', () => {
    expect(run.results).toHaveLength(report.findings.length);
    expect(SARIF_LEVEL).toEqual({ blocker: 'error', warning: 'warning', info: 'note' });
    report.findings.forEach((f, i) => {
      const result = run.results[i];
      expect(result?.ruleId).toBe(f.ruleId);
      expect(run.tool.driver.rules[result?.ruleIndex ?? -1]?.id).toBe(f.ruleId);
      expect(result?.level).toBe(SARIF_LEVEL[f.severity]);
      expect(result?.message.text).toBe(f.message);
      expect(result?.locations).toEqual([
        { logicalLocations: [{ fullyQualifiedName: f.resourceId, kind: 'resource' }] },
      ]);
      expect(result?.properties).toEqual({
        subscriptionId: f.subscriptionId,
        resourceGroup: f.resourceGroup,
        resourceType: f.resourceType,
        ...(f.deadline ? { deadline: f.deadline, urgency: f.urgency } : {}),
      });
    });
    const levels = new Set(run.results.map((r) => r.level));
    expect([...levels].sort()).toEqual(['error', 'note', 'warning']);
  });

  it('is deterministic: the same findings in any order give the same log', () => {
    const shuffled = buildReport(
      [...report.findings].reverse(),
      report.resources,
      NOW,
      report.notices,
    );
    expect(render(shuffled, 'sarif', context)).toBe(text);
    expect(toSarif(report, DEFAULT_CATALOG)).toEqual(log);
  });

  it('still describes a rule missing from the catalog', () => {
    const orphan = toSarif(buildReport([{ ...hostile, ruleId: 'classic/gone' }], 1, NOW), []);
    expect(orphan.runs[0].tool.driver.rules[0]).toMatchObject({
      id: 'classic/gone',
      shortDescription: { text: 'classic/gone' },
      properties: { severity: 'blocker' },
    });
    expect(orphan.runs[0].results[0]?.ruleIndex).toBe(0);
  });
});

describe('readiness scan --format csv|html|sarif', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-formats-'));
  const exportFile = join(dir, 'export.json');
  writeFileSync(exportFile, JSON.stringify({ data: exportRows }));

  it('offers every format', () => {
    expect([...FORMATS]).toEqual(['table', 'json', 'csv', 'html', 'sarif']);
  });

  it.each(['csv', 'html', 'sarif'] as const)('writes --format %s to --output', async (format) => {
    const output = join(dir, `report.${format}`);
    const result = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      format,
      '--output',
      output,
      '--now',
      '2026-11-26',
    );
    expect(result).toMatchObject({ code: 0, stdout: '' });
    // The file holds exactly what the same command prints without --output.
    const printed = await run(
      'scan',
      '--input',
      exportFile,
      '--format',
      format,
      '--now',
      '2026-11-26',
    );
    expect(readFileSync(output, 'utf8')).toBe(printed.stdout);
  });

  it('writes a hostile resource name of an export escaped in the HTML report', async () => {
    const subscriptionId = '00000000-0000-4000-8000-000000000002';
    const vm = classicVmRow({
      subscriptionId,
      name: `vm-${HOSTILE_SCRIPT}`,
      cloudService: 'cs-hostile',
      osDisk: { account: 'hostiledisks', blob: 'os.vhd' },
    });
    const hostileExport = join(dir, 'hostile.json');
    writeFileSync(hostileExport, JSON.stringify([{ ...vm, resourceGroup: HOSTILE_MARKUP }]));
    const { code, stdout } = await run(
      'scan',
      '--input',
      hostileExport,
      '--format',
      'html',
      '--now',
      '2026-11-26',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('<tr class="finding">');
    expect(stdout).toContain(`vm-${escapeHtml(HOSTILE_SCRIPT)}`);
    expect(stdout).toContain(escapeHtml(HOSTILE_MARKUP));
    expect(stdout).not.toContain(HOSTILE_SCRIPT);
    expect(stdout).not.toContain(HOSTILE_MARKUP);
    expect(stdout).not.toMatch(/<script/i);
  });
});

describe('the table answers "what first"', () => {
  it('sorts by severity, then deadline urgency, then subscription, and counts in English', async () => {
    const { renderTable } = await import('../../src/cli/formats.js');
    const f = (
      severity: 'blocker' | 'warning' | 'info',
      sub: string,
      urgency?: 'overdue' | 'due-90' | 'later',
    ) => ({
      ruleId: urgency ? 'retirement/x' : 'classic/x',
      severity,
      resourceId: `/subscriptions/${sub}/resourceGroups/g/providers/p/t/${severity}-${urgency ?? 'none'}`,
      resourceName: `${severity}-${urgency ?? 'none'}-${sub}`,
      resourceType: 't',
      subscriptionId: sub,
      resourceGroup: 'g',
      message: 'm',
      ...(urgency ? { deadline: '2026-01-01', urgency } : {}),
    });
    const report = {
      scannedAt: '2026-12-01T00:00:00.000Z',
      resources: 1,
      findings: [
        f('info', 'a'),
        f('warning', 'a', 'later'),
        f('warning', 'b', 'overdue'),
        f('warning', 'a'),
        f('blocker', 'b'),
        f('warning', 'c', 'due-90'),
      ],
      summary: { bySeverity: { blocker: 1, warning: 4, info: 1 }, byRule: {} },
    };
    const text = renderTable(report);
    const names = text
      .split('\n')
      .slice(3)
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[2]);
    expect(names).toEqual([
      'blocker-none-b',
      'warning-overdue-b',
      'warning-due-90-c',
      'warning-later-a',
      'warning-none-a',
      'info-none-a',
    ]);
    expect(text.split('\n')[0]).toBe(
      'Scanned 1 resource at 2026-12-01T00:00:00.000Z: 1 blocker, 4 warnings, 1 info.',
    );
  });
});
