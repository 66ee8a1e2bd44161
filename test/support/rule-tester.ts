// Declarative rule tests over named fixtures (after ESLint's RuleTester and PSRule's named resources):
// each named row must land in exactly one of fail / pass / not applicable.
import { expect } from 'vitest';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import type { Outcome, Rule } from '../../src/rules/define-rule.js';

export interface NamedCases {
  /** Every row of the fixture, by name. Rows other rules need (a cloud service, a VNet) go here too. */
  readonly rows: Record<string, Record<string, unknown>>;
  readonly fail: readonly string[];
  readonly pass: readonly string[];
  readonly notApplicable?: readonly string[];
  /** Optional message checks: a substring per failing row. */
  readonly messages?: Record<string, string>;
  readonly now?: Date;
}

export type Verdict = 'fail' | 'pass' | 'not-applicable';

/** What the rule decides for every named row, as the engine would (type filter first). */
export function verdicts(
  rule: Rule,
  cases: Pick<NamedCases, 'rows' | 'now'>,
): Record<string, Verdict> {
  const rows = new Map<string, ResourceRow>();
  for (const [name, raw] of Object.entries(cases.rows)) {
    const parsed = toResourceRow(raw);
    if (!parsed.ok) throw new Error(`fixture ${name}: ${parsed.reason}`);
    rows.set(name, parsed.row);
  }
  const index = buildScanIndex([...rows.values()]);
  const context = { now: cases.now ?? new Date('2026-11-26T00:00:00Z'), index };
  const result: Record<string, Verdict> = {};
  for (const [name, row] of rows) {
    if (!rule.appliesTo.includes(row.type)) {
      result[name] = 'not-applicable';
      continue;
    }
    const outcome = rule.evaluate(row, context);
    result[name] = outcome.kind;
  }
  return result;
}

export function messagesOf(
  rule: Rule,
  cases: Pick<NamedCases, 'rows' | 'now'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const parsed = Object.entries(cases.rows).map(([name, raw]) => {
    const r = toResourceRow(raw);
    if (!r.ok) throw new Error(`fixture ${name}: ${r.reason}`);
    return [name, r.row] as const;
  });
  const index = buildScanIndex(parsed.map(([, row]) => row));
  const context = { now: cases.now ?? new Date('2026-11-26T00:00:00Z'), index };
  for (const [name, row] of parsed) {
    if (!rule.appliesTo.includes(row.type)) continue;
    const outcome = rule.evaluate(row, context);
    if (outcome.kind === 'fail') out[name] = outcome.message;
  }
  return out;
}

/** The whole outcome (with its reason or message) of one named row, among the others. */
export function verdictOf(
  rule: Rule,
  rows: Record<string, Record<string, unknown>>,
  name: string,
  now = new Date('2026-11-26T00:00:00Z'),
): Outcome {
  const parsed = new Map<string, ResourceRow>();
  for (const [key, raw] of Object.entries(rows)) {
    const r = toResourceRow(raw);
    if (!r.ok) throw new Error(`fixture ${key}: ${r.reason}`);
    parsed.set(key, r.row);
  }
  const target = parsed.get(name);
  if (!target) throw new Error(`no fixture row ${name}`);
  return rule.evaluate(target, { now, index: buildScanIndex([...parsed.values()]) });
}

/** Asserts exactly which named rows fail, pass and are not applicable. */
export function expectVerdicts(rule: Rule, cases: NamedCases): void {
  const actual = verdicts(rule, cases);
  const pick = (v: Verdict) =>
    Object.entries(actual)
      .filter(([, verdict]) => verdict === v)
      .map(([name]) => name)
      .sort();
  const declared = [...cases.fail, ...cases.pass, ...(cases.notApplicable ?? [])];
  expect(new Set(declared).size, 'a row is declared in two verdicts').toBe(declared.length);
  expect(declared.sort(), 'every named row must have a declared verdict').toEqual(
    Object.keys(cases.rows).sort(),
  );
  expect({
    fail: pick('fail'),
    pass: pick('pass'),
    notApplicable: pick('not-applicable'),
  }).toEqual({
    fail: [...cases.fail].sort(),
    pass: [...cases.pass].sort(),
    notApplicable: [...(cases.notApplicable ?? [])].sort(),
  });
  if (cases.messages) {
    const messages = messagesOf(rule, cases);
    for (const [name, fragment] of Object.entries(cases.messages)) {
      expect(messages[name], `message of ${name}`).toContain(fragment);
    }
  }
}

/** Fixture helpers: ids in the shape Resource Graph returns. */
export const SUB = '00000000-0000-0000-0000-00000000a001';
export function classicId(
  provider: string,
  kind: string,
  name: string,
  rg = 'rg-classic',
  sub = SUB,
): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${provider}/${kind}/${name}`;
}
export function row(
  type: string,
  id: string,
  properties: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    name: id.split('/').pop(),
    type,
    subscriptionId: SUB,
    resourceGroup: /resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '',
    location: 'westeurope',
    properties,
    ...extra,
  };
}
