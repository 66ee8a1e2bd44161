// Property-based: random Resource Graph rows, well-formed or not, through the whole catalog never break the engine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/engine.js';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { isSeverity } from '../../src/core/severity.js';
import { URGENCIES } from '../../src/core/urgency.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { armId, csId, OTHER_SUB, saId, vmId, vnetId } from './fixtures.js';
import { SUB } from '../support/rule-tester.js';
import {
  references as sampleReferences,
  subscription as sampleSubscription,
} from './sample-subscription.js';

const NUM_RUNS = 300;
const CATALOG_TYPES = [...new Set(DEFAULT_CATALOG.flatMap((r) => [...r.appliesTo, ...r.uses]))];
const TARGET_TYPES = new Set(DEFAULT_CATALOG.flatMap((r) => r.appliesTo));
const NOISE_TYPES = [
  'microsoft.compute/virtualmachines',
  'microsoft.web/sites',
  'x',
  'microsoft.classiccompute/',
];

// A small pool of names and ids, so that random rows often point at each other.
const NAMES = ['a', 'b', 'c'];
const IDS = [
  ...NAMES.flatMap((n) => [vmId(n), csId(n), vnetId(n), saId(n), vnetId(n, OTHER_SUB)]),
  `${vnetId('a')}/subnets/default`,
  armId('Microsoft.Network', 'virtualNetworks', 'a'),
  `/subscriptions/${SUB}`,
  '/providers/microsoft.classicnetwork/virtualnetworks/',
  '',
];

const anyCase = (values: readonly string[]) => fc.mixedCase(fc.constantFrom(...values));
const id = fc.oneof(
  anyCase(IDS),
  anyCase(IDS).map((s) => `${s}/`),
  fc.string(),
);
const blobUri = fc.oneof(
  fc
    .constantFrom(...NAMES)
    .chain((n) =>
      fc.constantFrom(
        `https://${n}.blob.core.windows.net/vhds/os.vhd`,
        `https://${n}.blob.core.windows.net/vhds/a/b.vhd`,
      ),
    ),
  fc.webUrl(),
  fc.string(),
);
const word = fc.oneof(
  fc.constantFrom(
    'Ready',
    'NotReady',
    'RoleStateUnknown',
    'WebRole',
    'WorkerRole',
    'PersistentVMRole',
  ),
  fc.constantFrom(
    'Premium-LRS',
    'Standard-GRS',
    'BGInfo',
    'VMSnapshot',
    'Microsoft.Azure.Security',
    '1.*',
    'as-1',
  ),
  fc.constantFrom(...NAMES),
  fc.string(),
);
/** Any JSON, or something close to what a field expects. */
const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  id,
  word,
  blobUri,
  fc.boolean(),
  fc.constant(null),
);
/** Mostly the expected shape, sometimes anything else. */
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: arb as fc.Arbitrary<unknown>, weight: 5 }, { arbitrary: leaf, weight: 1 });
const some = <T>(arb: fc.Arbitrary<T>) => maybe(fc.array(maybe(arb), { maxLength: 4 }));
const partial = (model: Record<string, fc.Arbitrary<unknown>>) =>
  maybe(fc.record(model, { requiredKeys: [] }));

const extension = partial({
  extension: word,
  publisher: word,
  version: word,
  referenceName: word,
  state: word,
});
const disk = partial({ storageAccount: partial({ name: word }), vhdUri: blobUri });
const shapedProperties = partial({
  domainName: partial({ id }),
  hardwareProfile: partial({ availabilitySet: word }),
  networkProfile: partial({
    virtualNetwork: partial({ id, name: word, subnetNames: some(word) }),
    inputEndpoints: some(
      partial({ endpointName: word, endpointAcl: partial({ rules: some(leaf) }) }),
    ),
  }),
  extensions: some(extension),
  debugProfile: partial({ bootDiagnosticsEnabled: leaf, serialOutputBlobUri: blobUri }),
  instanceView: partial({ status: word, guestAgentStatus: partial({ status: word }) }),
  storageProfile: partial({ operatingSystemDisk: disk, dataDisks: some(disk) }),
  roles: some(partial({ name: word, roleType: word })),
  virtualNetwork: partial({ id }),
  accountType: word,
  inUse: leaf,
  computeProfile: partial({ roles: some(partial({ virtualNetworkProfile: partial({ id }) })) }),
  virtualNetworkConfiguration: partial({ vnetid: id, subnetResourceId: id }),
  virtualNetworkPeerings: some(
    partial({ name: word, properties: partial({ remoteVirtualNetwork: partial({ id }) }) }),
  ),
  condition: partial({ dataSource: partial({ resourceUri: id }) }),
  targetResourceUri: id,
  scope: id,
});

/** An id in the shape of its type (`/subscriptions/…/providers/{provider}/{kind}/{name}`), or any id. */
function idFor(type: string): fc.Arbitrary<string> {
  const [provider = 'x', kind = 'y'] = type.split('/');
  const shaped = fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom(SUB, OTHER_SUB))
    .map(
      ([name, sub]) =>
        `/subscriptions/${sub}/resourceGroups/rg/providers/${provider}/${kind}/${name}`,
    );
  return fc.oneof({ arbitrary: fc.mixedCase(shaped), weight: 4 }, { arbitrary: id, weight: 1 });
}

const typeAndId = fc
  .oneof(
    { arbitrary: fc.constantFrom(...CATALOG_TYPES), weight: 6 },
    { arbitrary: fc.constantFrom(...NOISE_TYPES), weight: 1 },
  )
  .chain((type) => fc.record({ type: fc.mixedCase(fc.constant(type)), id: idFor(type) }));

const rawRow = fc
  .record(
    {
      typeAndId,
      name: fc.oneof(
        { arbitrary: fc.constantFrom(...NAMES), weight: 4 },
        { arbitrary: leaf, weight: 1 },
      ),
      subscriptionId: fc.oneof(fc.constantFrom(SUB, OTHER_SUB, SUB.toUpperCase()), leaf),
      resourceGroup: leaf,
      location: leaf,
      tags: leaf,
      kind: fc.oneof(fc.constantFrom('functionapp,linux', 'LINUX', 'app'), leaf),
      sku: fc.oneof(partial({ tier: fc.constantFrom('Dynamic', 'dynamic', 'Standard') }), leaf),
      properties: fc.oneof(
        { arbitrary: shapedProperties, weight: 4 },
        { arbitrary: fc.jsonValue(), weight: 1 },
      ),
    },
    { requiredKeys: ['typeAndId'] },
  )
  .map(({ typeAndId: { type, id: rowId }, ...rest }) => ({ id: rowId, type, ...rest }));

function parse(raws: readonly unknown[]): ResourceRow[] {
  const rows: ResourceRow[] = [];
  for (const raw of raws) {
    const parsed = toResourceRow(raw);
    if (parsed.ok) rows.push(parsed.row);
  }
  return rows;
}

/** Replaces the value at a path picked by `steps` (each step indexes the keys of the current object or array). */
function mutate(
  raw: Record<string, unknown>,
  steps: readonly number[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(raw);
  let current: Record<string, unknown> | unknown[] = copy;
  for (const [i, step] of steps.entries()) {
    const keys = Object.keys(current);
    if (keys.length === 0) break;
    const key = keys[step % keys.length] as string;
    const next: unknown = (current as Record<string, unknown>)[key];
    if (i === steps.length - 1 || typeof next !== 'object' || next === null) {
      (current as Record<string, unknown>)[key] = value;
      break;
    }
    current = next as Record<string, unknown>;
  }
  return copy;
}

const mutation = fc.record({
  /** Mostly the first rows: the interesting ones (the tail is the big VNet's VMs). */
  row: fc.oneof(fc.nat({ max: 25 }), fc.nat()),
  steps: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  value: leaf,
  shout: fc.boolean(),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function applyMutations(raws: readonly Record<string, unknown>[], mutations: readonly Mutation[]) {
  const out = [...raws];
  for (const m of mutations) {
    const i = m.row % out.length;
    const mutated = mutate(out[i] as Record<string, unknown>, m.steps, m.value);
    // Shouting upper-cases the id and type when they are strings (a mutation may have made them anything: an
    // object with its own `toString` cannot even be turned into a string).
    const shout = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : v);
    out[i] = m.shout ? { ...mutated, id: shout(mutated.id), type: shout(mutated.type) } : mutated;
  }
  return out;
}

const RULES_BY_ID = new Map(DEFAULT_CATALOG.map((r) => [r.id, r]));
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;

/** What is wrong with an evaluation (plain checks: thousands of findings per run). */
function problemsOf(result: ReturnType<typeof evaluate>): string[] {
  const problems = result.ruleErrors.map(
    (e) => `rule error ${e.ruleId} on ${e.resourceId}: ${e.message}`,
  );
  for (const f of result.findings) {
    const rule = RULES_BY_ID.get(f.ruleId);
    const wrong = !rule
      ? 'unknown rule'
      : !nonEmpty(f.resourceId)
        ? 'no resource id'
        : !isSeverity(f.severity) || f.severity !== rule.severity
          ? `severity ${f.severity}`
          : !nonEmpty(f.message)
            ? 'no message'
            : !rule.appliesTo.includes(f.resourceType)
              ? `type ${f.resourceType} not in appliesTo`
              : rule.deadline &&
                  (f.deadline !== rule.deadline || !URGENCIES.includes(f.urgency as never))
                ? 'deadline/urgency'
                : undefined;
    if (wrong) problems.push(`${f.ruleId} on ${f.resourceId}: ${wrong}`);
  }
  return problems;
}

function expectWellFormed(result: ReturnType<typeof evaluate>): void {
  expect(problemsOf(result)).toEqual([]);
}

describe('the whole catalog over random rows', () => {
  it('never throws on a realistic subscription with random parts replaced, cased or removed', () => {
    const rows = sampleSubscription();
    const refs = sampleReferences();
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.array(mutation, { maxLength: 4 }),
        (m1, m2) => {
          const scan = parse(applyMutations(rows, m1));
          const references = buildScanIndex(
            parse(applyMutations(refs, m2)).filter((r) => !TARGET_TYPES.has(r.type)),
          );
          expectWellFormed(
            evaluate(scan, { rules: DEFAULT_CATALOG, now: new Date('2026-11-26'), references }),
          );
        },
      ),
      { numRuns: NUM_RUNS / 3 },
    );
  });

  it('never throws, reports no rule errors, and every finding is well formed', () => {
    fc.assert(
      fc.property(
        fc.array(rawRow, { maxLength: 30 }),
        fc.array(rawRow, { maxLength: 10 }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        (raws, referenceRaws, now) => {
          const rows = parse(raws);
          const references = buildScanIndex(
            parse(referenceRaws).filter((r) => !TARGET_TYPES.has(r.type)),
          );
          const result = evaluate(rows, { rules: DEFAULT_CATALOG, now, references });
          expectWellFormed(result);
          // Same rows again (views are cached per row object): same findings.
          expect(evaluate(rows, { rules: DEFAULT_CATALOG, now, references }).findings).toEqual(
            result.findings,
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('calls every rule directly, without the engine, and never throws', () => {
    fc.assert(
      fc.property(fc.array(rawRow, { minLength: 1, maxLength: 20 }), (raws) => {
        const rows = parse(raws);
        const index = buildScanIndex(rows);
        const context = { now: new Date('2026-11-26'), index };
        const kinds = new Set<string>();
        for (const row of rows) {
          // Not filtered by type: a rule handed a row of another type must not throw either.
          for (const rule of DEFAULT_CATALOG) kinds.add(rule.evaluate(row, context).kind);
        }
        expect([...kinds].filter((k) => !['pass', 'fail', 'not-applicable'].includes(k))).toEqual(
          [],
        );
      }),
      { numRuns: NUM_RUNS / 3 },
    );
  });
});
