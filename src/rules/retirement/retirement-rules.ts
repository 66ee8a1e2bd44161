// Turns retirement catalog entries into rules: one finding per matching resource, carrying the deadline.
import { defineRule, fail, notApplicable, type Rule } from '../define-rule.js';
import type { ResourceRow } from '../../core/resource.js';
import type { Retirement, RetirementCondition } from './catalog.js';

/** A condition compiled once per rule: its path split, its value lower-cased. */
interface Compiled {
  readonly steps: readonly string[];
  readonly equals: string | undefined;
  readonly contains: string;
}

function compile(condition: RetirementCondition): Compiled {
  return {
    steps: condition.path.split('.'),
    equals: condition.equals?.toLowerCase(),
    contains: (condition.contains ?? '').toLowerCase(),
  };
}

function holds(row: ResourceRow, condition: Compiled): boolean {
  let value: unknown = row;
  for (const step of condition.steps) {
    if (typeof value !== 'object' || value === null) return false;
    value = (value as Record<string, unknown>)[step];
  }
  if (typeof value !== 'string') return false;
  const actual = value.toLowerCase();
  if (condition.equals !== undefined) return actual === condition.equals;
  return actual.includes(condition.contains);
}

const NO_MATCH = Object.freeze(
  notApplicable('the resource does not match the retirement selector'),
);

export function retirementRule(entry: Retirement): Rule {
  const conditions = entry.selector.all ?? [];
  const compiled = conditions.map(compile);
  // The same answer for every matching row: built once (outcomes are read-only).
  const matched = Object.freeze(fail(`${entry.title} on ${entry.deadline}.`));
  return defineRule({
    id: entry.id,
    title: entry.title,
    severity: 'warning',
    appliesTo: entry.selector.types,
    recommendation: `Migrate or remove this resource before ${entry.deadline}. See ${entry.link}.`,
    links: [entry.link],
    deadline: entry.deadline,
    // Type-only unless a selector reads under `properties` (a user's catalog may): then a row without
    // properties is not applicable rather than "does not match".
    typeOnly: !conditions.some((c) => /^properties(?:\.|$)/i.test(c.path)),
    evaluate(row) {
      for (const c of compiled) if (!holds(row, c)) return NO_MATCH;
      return matched;
    },
  });
}

export function retirementRules(catalog: readonly Retirement[]): Rule[] {
  return catalog.map(retirementRule);
}
