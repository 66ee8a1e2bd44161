// Renders a scan report in the CLI's output formats.
import type { ScanReport } from '../app/report.js';
import { comparePriority } from '../core/finding.js';
import { count } from '../rules/views/listing.js';
import type { RuleMeta } from '../rules/define-rule.js';
import { findingsToCsv } from '../views/csv.js';
import { renderHtmlReport } from './formats/html-report.js';
import { renderSarif } from './formats/sarif.js';

export const FORMATS = ['table', 'json', 'csv', 'html', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

/** What a format needs beyond the report: the catalog the scan ran, for rule titles, recommendations and links. */
export interface RenderContext {
  readonly rules: readonly RuleMeta[];
}

/** The first owner, and where the name came from in a word: "alice@contoso.com (tag)". */
function ownerLabel(f: { owners?: string; ownerReason?: string }): string {
  if (!f.owners) return '—';
  const first = f.owners.split(';')[0] ?? '';
  const more = f.owners.includes(';') ? ' +' : '';
  const why = f.ownerReason?.startsWith('tag')
    ? 'tag'
    : f.ownerReason?.includes('contacts')
      ? 'contacts'
      : f.ownerReason?.includes('default')
        ? 'default'
        : '';
  return `${first}${more}${why ? ` (${why})` : ''}`;
}

function pad(value: string, width: number): string {
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
}

/** Terminal output must not carry control characters from resource names (escape sequences). */
function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function renderTable(report: ScanReport): string {
  const lines: string[] = [];
  const { bySeverity } = report.summary;
  lines.push(
    `Scanned ${count(report.resources, 'resource')} at ${report.scannedAt}: ${count(bySeverity.blocker, 'blocker')}, ${count(bySeverity.warning, 'warning')}, ${bySeverity.info} info.`,
  );
  if (report.findings.length === 0) return `${lines.join('\n')}\n`;
  lines.push('');
  lines.push(
    `${pad('SEVERITY', 9)} ${pad('RULE', 46)} ${pad('RESOURCE', 32)} ${pad('GROUP', 20)} ${pad('OWNER', 28)} DETAIL`,
  );
  // The table answers "what first": severity, then deadline urgency, then subscription (the JSON keeps
  // the contract's stable order).
  for (const f of [...report.findings].sort(comparePriority)) {
    const detail = f.deadline ? `${f.urgency} (${f.deadline}) ${f.message}` : f.message;
    lines.push(
      `${pad(f.severity, 9)} ${pad(f.ruleId, 46)} ${pad(printable(f.resourceName), 32)} ${pad(printable(f.resourceGroup), 20)} ${pad(printable(ownerLabel(f)), 28)} ${printable(detail)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function render(report: ScanReport, format: Format, context: RenderContext): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'table':
      return renderTable(report);
    case 'csv':
      return findingsToCsv(report.findings);
    case 'html':
      return renderHtmlReport(report, context.rules);
    case 'sarif':
      return renderSarif(report, context.rules);
  }
}
