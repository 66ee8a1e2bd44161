// Use case: scan a Resource Graph export offline (no Azure access): validate rows, evaluate the whole catalog.
import { evaluate, type RuleError } from '../core/engine.js';
import { MissingProperties, missingTablesNotice, notEvaluatedNotice } from '../core/notices.js';
import { toResourceRow, type ResourceRow } from '../core/resource.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import type { ScopeFilter } from './ports.js';
import { buildReport, type ScanReport } from './report.js';
import { jsonPosition } from '../core/parse-position.js';
import type { Finding } from '../core/finding.js';
import { findingKey } from '../core/finding.js';
import {
  advisorHit,
  catalogOfRows,
  healthImpact,
  healthNotice,
  manualNotEvaluated,
  RETIREMENT_SOURCE_TYPES,
  retirementFindings,
  type DataRetirement,
} from '../rules/retirement/data-retirements.js';
import { BUILT_IN_DATA_RETIREMENTS, claimedTypes } from '../rules/index.js';
import { BUILT_IN_RETIREMENTS } from '../rules/retirement/catalog.js';

const SOURCE_TYPES = new Set(RETIREMENT_SOURCE_TYPES);

/** A row of `advisorresources` or `servicehealthresources` (it says so by its `type`). */
function isSourceRow(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && SOURCE_TYPES.has(type.toLowerCase());
}

/**
 * The retirement findings of an export's Advisor and Service Health rows. An export is the snapshot it is:
 * no freshness filter. Manual entries' queries are not run offline: their resources need a live query.
 */
export function exportRetirementFindings(
  rows: readonly unknown[],
  options: { now: Date; thresholds?: UrgencyThresholds; catalog?: readonly DataRetirement[] },
): Finding[] {
  if (rows.length === 0) return [];
  const pick = <T>(read: (row: unknown) => T | { skip: string }): T[] =>
    rows.map(read).filter((x): x is T => !(typeof x === 'object' && x !== null && 'skip' in x));
  return retirementFindings({
    catalog: exportCatalog(rows, options.catalog),
    recommendations: pick(advisorHit),
    notices: pick(healthNotice),
    impacted: pick(healthImpact),
    claimed: claimedTypes(BUILT_IN_RETIREMENTS),
    now: options.now,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  }).findings;
}

/** The catalog of an export: the built-in snapshot, with the export's `microsoft.advisor/metadata` rows over it. */
function exportCatalog(
  rows: readonly unknown[],
  catalog: readonly DataRetirement[] = BUILT_IN_DATA_RETIREMENTS,
): DataRetirement[] {
  const byType = new Map(catalog.map((r) => [r.recommendationTypeId ?? r.id, r]));
  for (const r of catalogOfRows(rows)) byType.set(r.recommendationTypeId ?? r.id, r);
  return [...byType.values()];
}

function excludedFinding(
  f: Finding,
  exclude: { readonly filter: ScopeFilter; readonly resources: ReadonlySet<string> },
): boolean {
  const has = (values: readonly string[] | undefined, value: string) =>
    (values ?? []).some((v) => v.toLowerCase() === value.toLowerCase());
  return (
    exclude.resources.has(f.resourceId.toLowerCase()) ||
    has(exclude.filter.excludeSubscriptions, f.subscriptionId) ||
    has(exclude.filter.excludeResourceGroups, f.resourceGroup) ||
    has(exclude.filter.excludeTypes, f.resourceType)
  );
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Rows of an export: a JSON array, or an object with a `data` array (`az graph query -o json`, the REST response). */
export function rowsOfExport(json: unknown, source: string): unknown[] {
  if (Array.isArray(json)) return json;
  if (
    typeof json === 'object' &&
    json !== null &&
    Array.isArray((json as { data?: unknown }).data)
  ) {
    // `az graph query` and the REST answer say when more pages are waiting: such an export is one page of many.
    const more = ['skip_token', 'skipToken', '$skipToken']
      .map((k) => (json as Record<string, unknown>)[k])
      .find((v) => typeof v === 'string' && v !== '');
    if (more !== undefined)
      throw new InputError(
        `${source}: the export is partial — it still carries a skip token (more pages were waiting); export every page with \`readiness export\` (or az graph query --skip-token until none is left)`,
      );
    return (json as { data: unknown[] }).data;
  }
  throw new InputError(
    `${source}: expected a JSON array of rows, or an object with a "data" array`,
  );
}

export function parseExport(text: string, source: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // By position only: the text may hold a key, or be a file that is not an export at all.
    throw new InputError(`${source}: ${jsonPosition(text, error)}`);
  }
  return rowsOfExport(json, source);
}

export interface ExportScan {
  readonly report: ScanReport;
  readonly skipped: readonly { index: number; reason: string }[];
  readonly ruleErrors: readonly RuleError[];
  readonly rows: readonly ResourceRow[];
  /** Manual retirements the scan could not decide, and why (offline, no Manual query runs). */
  readonly notEvaluated: readonly { ruleId: string; reason: string }[];
}

export function scanExport(
  rawRows: readonly unknown[],
  options: {
    rules: readonly Rule[];
    now: Date;
    thresholds?: UrgencyThresholds;
    /**
     * The scope's exclusions, for the retirement sources' findings (their rows are not the resource's): the
     * filter's subscriptions, groups and types, and the lower-case ids of resources it leaves out by tag.
     */
    exclude?: { readonly filter: ScopeFilter; readonly resources: ReadonlySet<string> };
  },
): ExportScan {
  const rows: ResourceRow[] = [];
  const skipped: { index: number; reason: string }[] = [];
  const sourceRows: unknown[] = [];
  rawRows.forEach((raw, index) => {
    if (isSourceRow(raw)) {
      sourceRows.push(raw);
      return;
    }
    const parsed = toResourceRow(raw);
    if (parsed.ok) rows.push(parsed.row);
    else skipped.push({ index, reason: parsed.reason });
  });
  if (rows.length === 0 && sourceRows.length === 0 && skipped.length > 0)
    throw new InputError(
      `nothing was scanned: all ${skipped.length} row(s) are malformed (row ${skipped[0]?.index}: ${skipped[0]?.reason})`,
    );
  const evaluation = evaluate(rows, {
    rules: options.rules,
    now: options.now,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });
  // Data-defined retirements apply only when the catalog holds them (as the live scan reads them).
  const dataDefined = options.rules.some((r) => r.retirement);
  const sourced = (dataDefined ? exportRetirementFindings(sourceRows, options) : []).filter(
    (f) => !options.exclude || !excludedFinding(f, options.exclude),
  );
  // As the live scan lists them, plus the Manual queries it would run: an export cannot answer them.
  const notEvaluated = dataDefined
    ? manualNotEvaluated(exportCatalog(sourceRows), {
        offline: true,
        skip: new Set(options.rules.filter((r) => r.appliesTo.length > 0).map((r) => r.id)),
      })
    : [];
  const seen = new Set(evaluation.findings.map(findingKey));
  const findings = [...evaluation.findings, ...sourced.filter((f) => !seen.has(findingKey(f)))];
  const missing = new MissingProperties(options.rules);
  missing.add(rows);
  return {
    report: buildReport(findings, rows.length, options.now, [
      missing.notice('export'),
      missingTablesNotice(rows, options.rules),
      notEvaluatedNotice(notEvaluated),
    ]),
    skipped,
    ruleErrors: evaluation.ruleErrors,
    rows,
    notEvaluated,
  };
}
