// CSV output (RFC 4180) of findings, guarded against formula injection: shared by `scan --format csv` and the HTTP API.
import type { Finding } from '../core/finding.js';

/** The columns of a findings CSV, in order. */
export const FINDING_CSV_HEADER = [
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
] as const;

/**
 * A spreadsheet evaluates a cell that starts with one of these as a formula (OWASP "CSV Injection"):
 * resource names, tags and messages come from the tenant, so such a cell gets a leading `'`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: neutralised when it could start a formula, quoted when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 text of the rows: every record ends with CRLF. The first row is usually the header. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** One CSV record of a finding, in the order of FINDING_CSV_HEADER. */
export function findingCsvRow(
  f: Omit<Finding, 'owners' | 'ownerReason'> & {
    readonly owners?: string | undefined;
    readonly ownerReason?: string | undefined;
  },
): string[] {
  return [
    f.ruleId,
    f.severity,
    f.resourceId,
    f.resourceName,
    f.resourceType,
    f.subscriptionId,
    f.resourceGroup,
    f.message,
    f.deadline ?? '',
    f.urgency ?? '',
    f.owners ?? '',
    f.ownerReason ?? '',
  ];
}

/** The findings as CSV, header first, one record per finding in the given order. */
export function findingsToCsv(findings: readonly Parameters<typeof findingCsvRow>[0][]): string {
  return toCsv([[...FINDING_CSV_HEADER], ...findings.map(findingCsvRow)]);
}
