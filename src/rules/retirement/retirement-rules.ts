// Turns retirement catalog entries into rules: one finding per matching resource, carrying the deadline.
import { defineRule, fail, notApplicable, type Rule } from '../define-rule.js';
import type { ResourceRow } from '../../core/resource.js';
import type { Retirement, RetirementCondition } from './catalog.js';

function valueAt(row: ResourceRow, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function holds(row: ResourceRow, condition: RetirementCondition): boolean {
  const value = valueAt(row, condition.path);
  if (typeof value !== 'string') return false;
  const actual = value.toLowerCase();
  if (condition.equals !== undefined) return actual === condition.equals.toLowerCase();
  return actual.includes((condition.contains ?? '').toLowerCase());
}

export function retirementRule(entry: Retirement): Rule {
  const conditions = entry.selector.all ?? [];
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
      if (!conditions.every((c) => holds(row, c))) {
        return notApplicable('the resource does not match the retirement selector');
      }
      return fail(`${entry.title} on ${entry.deadline}.`);
    },
  });
}

export function retirementRules(catalog: readonly Retirement[]): Rule[] {
  return catalog.map(retirementRule);
}
