// The rule engine: every applicable rule over every row, with errors contained per rule and row.
import type { Finding } from './finding.js';
import { hasProperties, type ResourceRow } from './resource.js';
import { buildScanIndex, type ScanIndex } from './scan-index.js';
import { urgencyOf, DEFAULT_THRESHOLDS, type Urgency, type UrgencyThresholds } from './urgency.js';
import { decisionOf, type Outcome, type Rule, type RuleContext } from '../rules/define-rule.js';

export interface RuleError {
  readonly ruleId: string;
  readonly resourceId: string;
  readonly message: string;
}

export interface EvaluationOptions {
  readonly rules: readonly Rule[];
  readonly now: Date;
  /** Rows from elsewhere in the tenant that rules may look up but that get no findings here. */
  readonly references?: ScanIndex;
  readonly thresholds?: UrgencyThresholds;
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly ruleErrors: RuleError[];
  /** Rows that at least one rule applied to. */
  readonly evaluated: number;
  /** The rows and references the rules read (the migration plan reads them too). */
  readonly index: ScanIndex;
}

/** A rule as the engine runs it: its predicate when `defineRule` made it (see `decisionOf`), else its `evaluate`. */
interface Step {
  readonly rule: Rule;
  readonly decide: (row: ResourceRow, context: RuleContext) => Outcome;
  /** Whether `decide` is the rule's own predicate that wants rows with properties only. */
  readonly needsProperties: boolean;
}

/** Rules grouped by the type they apply to, built once per catalog. */
export class RuleSet {
  private readonly byType = new Map<string, Rule[]>();
  private readonly stepsByType = new Map<string, Step[]>();
  constructor(readonly rules: readonly Rule[]) {
    for (const rule of rules) {
      const decision = decisionOf(rule);
      const step: Step = decision
        ? { rule, decide: decision.decide, needsProperties: !decision.typeOnly }
        : { rule, decide: (row, context) => rule.evaluate(row, context), needsProperties: false };
      for (const type of rule.appliesTo) {
        const list = this.byType.get(type);
        if (list) list.push(rule);
        else this.byType.set(type, [rule]);
        const steps = this.stepsByType.get(type);
        if (steps) steps.push(step);
        else this.stepsByType.set(type, [step]);
      }
    }
  }
  forType(type: string): readonly Rule[] | undefined {
    return this.byType.get(type);
  }
  /** The rules of a type as the engine runs them. */
  stepsFor(type: string): readonly Step[] | undefined {
    return this.stepsByType.get(type);
  }
  /** Types whose rows get findings. */
  targetTypes(): string[] {
    return [...this.byType.keys()].sort();
  }
  /** Types only read through the index. */
  referenceTypes(): string[] {
    const used = new Set(this.rules.flatMap((r) => r.uses));
    for (const t of this.byType.keys()) used.delete(t);
    return [...used].sort();
  }
}

const ruleSets = new WeakMap<readonly Rule[], RuleSet>();
function ruleSetOf(rules: readonly Rule[]): RuleSet {
  let set = ruleSets.get(rules);
  if (!set) {
    set = new RuleSet(rules);
    ruleSets.set(rules, set);
  }
  return set;
}

export function evaluate(rows: readonly ResourceRow[], options: EvaluationOptions): Evaluation {
  const ruleSet = ruleSetOf(options.rules);
  const index = buildScanIndex(rows, options.references);
  const context = { now: options.now, index };
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  // One urgency per deadline per evaluation, not one date parse per finding.
  const urgencies = new Map<string, Urgency>();
  const urgency = (deadline: string): Urgency => {
    let u = urgencies.get(deadline);
    if (u === undefined)
      urgencies.set(deadline, (u = urgencyOf(deadline, options.now, thresholds)));
    return u;
  };
  const findings: Finding[] = [];
  const ruleErrors: RuleError[] = [];
  let evaluated = 0;
  for (const row of rows) {
    const steps = ruleSet.stepsFor(row.type);
    if (!steps) continue;
    evaluated++;
    // A rule that decides from properties does not decide on a row without them (`defineRule`): no finding.
    const known = hasProperties(row);
    for (const step of steps) {
      if (step.needsProperties && !known) continue;
      const rule = step.rule;
      let outcome;
      try {
        outcome = step.decide(row, context);
      } catch (error) {
        ruleErrors.push({
          ruleId: rule.id,
          resourceId: row.id,
          message: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      if (outcome.kind !== 'fail') continue;
      // Two literals with the same keys in the same order, not a spread of an optional part: the spread copies
      // through a runtime call, for the findings with a deadline (most of them).
      const deadline = rule.deadline;
      const finding: Finding = deadline
        ? {
            ruleId: rule.id,
            severity: rule.severity,
            resourceId: row.id,
            resourceName: row.name,
            resourceType: row.type,
            subscriptionId: row.subscriptionId,
            resourceGroup: row.resourceGroup,
            message: outcome.message,
            deadline,
            urgency: urgency(deadline),
          }
        : {
            ruleId: rule.id,
            severity: rule.severity,
            resourceId: row.id,
            resourceName: row.name,
            resourceType: row.type,
            subscriptionId: row.subscriptionId,
            resourceGroup: row.resourceGroup,
            message: outcome.message,
          };
      findings.push(finding);
    }
  }
  return { findings, ruleErrors, evaluated, index };
}
