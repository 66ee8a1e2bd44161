// The shape of a rule: inert metadata (what the catalog, docs, e-mails and API show) plus one predicate.
import { hasProperties, type ResourceRow } from '../core/resource.js';
import type { Severity } from '../core/severity.js';
import type { ScanIndex } from '../core/scan-index.js';

export const RULE_ID = /^(classic|retirement)\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface RuleMeta {
  /** Stable public name, `pack/kebab-name`. Never rename one. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Lower-case resource types the rule decides on: a finding is always on one of these. */
  readonly appliesTo: readonly string[];
  /** Lower-case resource types the rule reads through the scan index (cross-resource rules). */
  readonly uses: readonly string[];
  readonly recommendation: string;
  readonly links: readonly string[];
  /** A *(manual)* rule cannot be decided from Resource Graph data: it asks for a check by hand. */
  readonly manual: boolean;
  /**
   * A type-only rule decides from the row's type (and id, name, `kind`, `sku`) alone: manual checks and
   * retirements. Every other rule decides from `properties` (the row's or other rows') and answers
   * not-applicable, `NO_PROPERTIES`, for a row that carries none: unknown is not absent.
   */
  readonly typeOnly: boolean;
  /** Retirement rules: the ISO date of the retirement. */
  readonly deadline?: string | undefined;
  /** Path of the rule's doc, relative to the repository root. */
  readonly doc: string;
  /** Data-defined retirements: the doc page, built from Microsoft's metadata (no file under docs/rules). */
  readonly docMarkdown?: string | undefined;
  /** Data-defined retirements: what the digests and the dashboard group by. */
  readonly retirement?:
    | {
        readonly service: string;
        readonly feature: string;
        readonly origin: 'Automated' | 'Manual' | 'ServiceHealth';
        readonly link?: string | undefined;
      }
    | undefined;
}

export type Outcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'not-applicable'; readonly reason: string };

export interface RuleContext {
  readonly now: Date;
  readonly index: ScanIndex;
}

export interface Rule extends RuleMeta {
  evaluate(row: ResourceRow, context: RuleContext): Outcome;
}

export interface RuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  appliesTo: readonly string[];
  uses?: readonly string[];
  recommendation: string;
  links?: readonly string[];
  manual?: boolean;
  /** Defaults to `manual`: see `RuleMeta.typeOnly`. */
  typeOnly?: boolean;
  deadline?: string;
  evaluate(row: ResourceRow, context: RuleContext): Outcome;
}

export const pass: Outcome = Object.freeze({ kind: 'pass' });
export function fail(message: string): Outcome {
  return { kind: 'fail', message };
}
export function notApplicable(reason: string): Outcome {
  return { kind: 'not-applicable', reason };
}

/** Why a rule that decides from properties does not decide on a row without them. */
export const NO_PROPERTIES = 'the row has no properties';
const UNKNOWN: Outcome = Object.freeze({ kind: 'not-applicable', reason: NO_PROPERTIES });

export function ruleDocPath(id: string): string {
  return `docs/rules/${id}.md`;
}

/** A rule's own predicate, and whether it decides on rows without properties. */
export interface Decision {
  readonly decide: (row: ResourceRow, context: RuleContext) => Outcome;
  readonly typeOnly: boolean;
}

const DECISIONS = new WeakMap<Rule, Decision>();

/**
 * The predicate behind a rule made by `defineRule`, for the engine: it checks `hasProperties` once per row rather
 * than once per rule, and calls the predicate directly. Undefined for any other rule (call its `evaluate`).
 */
export function decisionOf(rule: Rule): Decision | undefined {
  return DECISIONS.get(rule);
}

export function defineRule(definition: RuleDefinition): Rule {
  if (!RULE_ID.test(definition.id)) throw new Error(`malformed rule id "${definition.id}"`);
  const typeOnly = definition.typeOnly ?? definition.manual ?? false;
  const decide = definition.evaluate;
  const rule: Rule = Object.freeze({
    id: definition.id,
    title: definition.title,
    severity: definition.severity,
    appliesTo: Object.freeze(definition.appliesTo.map((t) => t.toLowerCase())),
    uses: Object.freeze((definition.uses ?? []).map((t) => t.toLowerCase())),
    recommendation: definition.recommendation,
    links: Object.freeze([...(definition.links ?? [])]),
    manual: definition.manual ?? false,
    typeOnly,
    deadline: definition.deadline,
    doc: ruleDocPath(definition.id),
    evaluate: typeOnly
      ? decide
      : (row: ResourceRow, context: RuleContext): Outcome =>
          hasProperties(row) ? decide(row, context) : UNKNOWN,
  });
  DECISIONS.set(rule, { decide, typeOnly });
  return rule;
}

/** The inert part of a rule, as the catalog, the API and the docs show it. */
export function metaOf(rule: Rule): RuleMeta {
  const { evaluate: _evaluate, ...meta } = rule;
  return meta;
}
