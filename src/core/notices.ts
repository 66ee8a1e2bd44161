// What a scan's input could not decide, said once: rows without `properties` (an `az resource list`
// export) get only the type-based rules, and the report says so instead of staying silent.
import { hasProperties, type ResourceRow } from './resource.js';
import type { Rule } from '../rules/define-rule.js';

export interface ScanNotice {
  /** Stable, for machines (the SARIF notification descriptor). */
  readonly code: 'rows-without-properties' | 'tables-missing' | 'retirements-not-evaluated';
  /** Rows of a type some property-reading rule needs, that carry no `properties`. */
  readonly rows: number;
  /** The same rows by (lower-case) type, sorted by type. */
  readonly types: Readonly<Record<string, number>>;
  /** One line for people. */
  readonly message: string;
  /** `retirements-not-evaluated`: the retirements the scan could not decide, and why. */
  readonly retirements?: readonly { readonly ruleId: string; readonly reason: string }[];
}

/**
 * The retirements a scan could not decide (Manual catalog entries whose query the product does not run, or
 * cannot run offline), said once, each with its reason: the product cannot tell whether they hit the tenant.
 */
export function notEvaluatedNotice(
  list: readonly { ruleId: string; reason: string }[],
): ScanNotice | undefined {
  if (list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  const n = sorted.length;
  return {
    code: 'retirements-not-evaluated',
    rows: 0,
    types: {},
    retirements: sorted,
    message: `${n} ${n === 1 ? 'retirement' : 'retirements'} not evaluated: ${sorted.map((r) => `${r.ruleId} (${r.reason})`).join('; ')}. Whether they hit the tenant is unknown (docs/retirements.md, "Manual entries and not evaluated").`,
  };
}

/**
 * The `az graph query` command that exports rows with `properties` (Resource Graph returns at most 1,000
 * rows a call: `--first 1000`, then `--skip 1000`, ...; see "Working with large Azure resource data sets",
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/work-with-data).
 */
export const EXPORT_COMMAND = `az graph query -q "resources | where type startswith 'microsoft.classic' | order by id asc" --first 1000 -o json > export.json`;

export type NoticeSource = 'export' | 'resource-graph';

/** Counts, across any number of batches, the rows without properties that property-reading rules needed. */
export class MissingProperties {
  private readonly needed: ReadonlySet<string>;
  private readonly byType = new Map<string, number>();
  private total = 0;

  constructor(rules: readonly Rule[]) {
    this.needed = new Set(
      rules.filter((r) => !r.typeOnly).flatMap((r) => [...r.appliesTo, ...r.uses]),
    );
  }

  add(rows: readonly ResourceRow[]): void {
    for (const row of rows) {
      if (!this.needed.has(row.type) || hasProperties(row)) continue;
      this.byType.set(row.type, (this.byType.get(row.type) ?? 0) + 1);
      this.total++;
    }
  }

  /** The notice, or undefined when every row that mattered carried properties. */
  notice(source: NoticeSource): ScanNotice | undefined {
    if (this.total === 0) return undefined;
    const types = Object.fromEntries(
      [...this.byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const listed = Object.entries(types)
      .map(([type, n]) => `${type} (${n})`)
      .join(', ');
    const rows = `${this.total} ${this.total === 1 ? 'row has' : 'rows have'} no properties`;
    const what =
      'only type-based rules (retirements, manual checks) were evaluated on them; the migration rules, which decide from properties, were not';
    const fix =
      source === 'export'
        ? `Export rows with properties (an \`az resource list\` export has none): \`readiness export --tenant --output export.json\` (every table the rules read), or ${EXPORT_COMMAND}`
        : 'Resource Graph returned them without the properties column.';
    return {
      code: 'rows-without-properties',
      rows: this.total,
      types,
      message: `${rows}: ${listed}; ${what}. ${fix}`,
    };
  }
}

const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';

/**
 * An export that holds classic resources but none of the rows some cross-resource rules read (App Service
 * Environments, HDInsight, API Management, peerings, role assignments, alerts...) leaves those rules undecided
 * when the tenant has such rows: said once, naming the rules. An export made by `readiness export` holds every
 * table the rules read (its subscription rows tell), so it gets no such notice.
 */
export function missingTablesNotice(
  rows: readonly ResourceRow[],
  rules: readonly Rule[],
): ScanNotice | undefined {
  const present = new Map<string, number>();
  for (const row of rows) present.set(row.type, (present.get(row.type) ?? 0) + 1);
  if (present.has(SUBSCRIPTION_TYPE)) return undefined;
  const undecided = rules.filter(
    (r) =>
      r.appliesTo.some((t) => present.has(t)) &&
      r.uses.length > 0 &&
      r.uses.every((t) => !present.has(t)),
  );
  if (undecided.length === 0) return undefined;
  const types = [...new Set(undecided.flatMap((r) => r.uses))].sort();
  return {
    code: 'tables-missing',
    rows: 0,
    types: Object.fromEntries(types.map((t) => [t, 0])),
    message: `the input has no rows of ${types.join(', ')}; if the tenant has any, these rules were left undecided: ${undecided.map((r) => r.id).join(', ')}. \`readiness export --tenant --output export.json\` exports every table the rules read.`,
  };
}
