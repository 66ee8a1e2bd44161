// Rule evaluation of generated tenants, byte for byte as recorded before the hot paths of the engine and the views
// were rewritten for speed (issue 17): the same findings, messages, order, rule errors and counts. A deliberate
// change of a rule's outcome re-records the fixture: UPDATE_GOLDEN=1 npx vitest run test/rules/evaluation-golden.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { refersToClassic } from '../../src/app/scan/index-references.js';
import { evaluate, RuleSet } from '../../src/core/engine.js';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'rule-evaluation',
  'synthetic.json',
);
const NOW = new Date('2026-12-02T00:00:00Z');

interface Recorded {
  readonly digest: string;
  readonly rows: number;
  readonly evaluated: number;
  readonly findings: number;
  readonly ruleErrors: number;
  readonly byRule: Record<string, number>;
}

interface Case {
  readonly seed: number;
  readonly subscriptions: number;
  readonly resources: number;
  /** Every n-th row loses its `properties` (an `az resource list` export), 0 for none. */
  readonly stripEvery: number;
  readonly references: boolean;
}

const CASES: Record<string, Case> = {
  'seed 1, reference index': {
    seed: 1,
    subscriptions: 120,
    resources: 12_000,
    stripEvery: 0,
    references: true,
  },
  'seed 7, reference index, some rows without properties': {
    seed: 7,
    subscriptions: 80,
    resources: 8_000,
    stripEvery: 7,
    references: true,
  },
  'seed 3, no reference index': {
    seed: 3,
    subscriptions: 60,
    resources: 6_000,
    stripEvery: 11,
    references: false,
  },
};

function parse(raws: readonly unknown[], stripEvery: number): ResourceRow[] {
  const rows: ResourceRow[] = [];
  raws.forEach((raw, i) => {
    const input =
      stripEvery > 0 && i % stripEvery === 3
        ? { ...(raw as Record<string, unknown>), properties: undefined }
        : raw;
    const parsed = toResourceRow(input);
    if (parsed.ok) rows.push(parsed.row);
  });
  return rows;
}

/** What a scan's evaluation gives for the tenant, one subscription at a time, as a digest and counts. */
function record(c: Case): Recorded {
  const tenant = syntheticTenant({
    subscriptions: c.subscriptions,
    resources: c.resources,
    seed: c.seed,
  });
  const rows = parse(tenant.resources, c.stripEvery);
  const referenceTypes = new Set(new RuleSet(DEFAULT_CATALOG).referenceTypes());
  const references = c.references
    ? buildScanIndex(
        parse([...tenant.resources, ...(tenant.authorizationResources ?? [])], 0).filter(
          (r) => referenceTypes.has(r.type) && refersToClassic(r),
        ),
      )
    : undefined;
  const bySubscription = new Map<string, ResourceRow[]>();
  for (const row of rows) {
    const group = bySubscription.get(row.subscriptionId);
    if (group) group.push(row);
    else bySubscription.set(row.subscriptionId, [row]);
  }
  const hash = createHash('sha256');
  const byRule: Record<string, number> = {};
  let evaluated = 0;
  let findings = 0;
  let ruleErrors = 0;
  for (const group of bySubscription.values()) {
    const e = evaluate(group, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      ...(references ? { references } : {}),
    });
    hash.update(
      JSON.stringify({ findings: e.findings, ruleErrors: e.ruleErrors, evaluated: e.evaluated }),
    );
    evaluated += e.evaluated;
    findings += e.findings.length;
    ruleErrors += e.ruleErrors.length;
    for (const f of e.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => a.localeCompare(b)));
  return {
    digest: hash.digest('hex'),
    rows: rows.length,
    evaluated,
    findings,
    ruleErrors,
    byRule: sorted,
  };
}

describe('rule evaluation of generated tenants', () => {
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Recorded>;
  const update = process.env.UPDATE_GOLDEN === '1';
  const fresh: Record<string, Recorded> = {};

  it.each(Object.keys(CASES))('%s: the findings recorded', (name) => {
    const c = CASES[name] as Case;
    const now = record(c);
    fresh[name] = now;
    if (update) return;
    const before = recorded[name];
    expect(before, `no recording for "${name}"`).toBeDefined();
    // Counts first: a difference there reads better than one in the digest.
    expect({ ...now, digest: '' }).toEqual({ ...before, digest: '' });
    expect(now.digest).toBe(before?.digest);
    expect(now.findings).toBeGreaterThan(0);
  });

  it.runIf(update)('re-records the fixture', () => {
    writeFileSync(FIXTURE, `${JSON.stringify(fresh, null, 2)}\n`);
    expect(Object.keys(fresh)).toEqual(Object.keys(CASES));
  });
});
