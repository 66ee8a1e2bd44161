// Catalog conventions (after ESLint's own rule tests): every rule has a doc, a test, a registry entry and a
// well-formed id, the registry is sorted, and the registered ids are exactly those of the specification.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { NO_PROPERTIES, RULE_ID, type Rule } from '../../src/rules/define-rule.js';
import { CLASSIC_RULES, DEFAULT_CATALOG } from '../../src/rules/index.js';
import { specFile, specTitle } from '../support/spec.js';

const ROOT = new URL('../../', import.meta.url);
/** ../shared/spec/rules.md, when the specification is beside the project (CI); else its check is skipped. */
const SPEC = specFile('rules.md');
const SECTIONS = ['## Synopsis', '## Description', '## Recommendation', '## Links'];

const fromRoot = (path: string) => new URL(path, ROOT);
const read = (path: string) => readFileSync(fromRoot(path), 'utf8');
const nameOf = (rule: Rule) => rule.id.split('/')[1] ?? '';

interface SpecRow {
  readonly id: string;
  readonly manual: boolean;
  /** Second column: the severity (migration rules) or the deadline (retirement rules). */
  readonly second: string;
}

/** The rows of rules.md's tables whose first column is a `classic/…` or `retirement/…` id. */
function specRows(spec: string): SpecRow[] {
  const rows: SpecRow[] = [];
  for (const line of readFileSync(spec, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // "| a | b |" splits into ['', 'a', 'b', ''].
    const first = cells[1] ?? '';
    const id = /^`((?:classic|retirement)\/[^`]+)`/.exec(first)?.[1];
    if (!id) continue;
    rows.push({
      id,
      manual: first.includes('*(manual)*'),
      second: (cells[2] ?? '').replace(/`/g, ''),
    });
  }
  return rows;
}

function filesUnder(dir: URL, suffix: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory())
      out.push(...filesUnder(new URL(`${entry.name}/`, dir), suffix, `${prefix}${entry.name}/`));
    else if (entry.name.endsWith(suffix)) out.push(`${prefix}${entry.name}`);
  }
  return out;
}

describe('rule ids', () => {
  it('are well formed and unique', () => {
    const ids = DEFAULT_CATALOG.map((r) => r.id);
    for (const id of ids) expect(id, id).toMatch(RULE_ID);
    expect(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      'duplicated ids',
    ).toEqual([]);
  });

  it.skipIf(SPEC === undefined)(
    specTitle(
      'are exactly the ids of rules.md, with its severities, manual marks and deadlines',
      SPEC,
    ),
    () => {
      const spec = specRows(SPEC as string);
      expect(spec.length, 'rules.md lists no rule: was its table format changed?').toBeGreaterThan(
        0,
      );
      // Data-defined retirements (Advisor's catalog) are not in the specification: their docs are built from data.
      const handWritten = DEFAULT_CATALOG.filter((r) => r.docMarkdown === undefined);
      expect(handWritten.map((r) => r.id).sort()).toEqual(spec.map((r) => r.id).sort());
      for (const row of spec) {
        const rule = DEFAULT_CATALOG.find((r) => r.id === row.id);
        if (!rule) continue;
        if (row.id.startsWith('classic/')) {
          expect(rule.severity, `severity of ${row.id}`).toBe(row.second);
          expect(rule.manual, `manual mark of ${row.id}`).toBe(row.manual);
        } else {
          expect(rule.deadline, `deadline of ${row.id}`).toBe(row.second);
        }
      }
    },
  );
});

describe('the registry', () => {
  it('lists the migration rules sorted by id, all in pack classic', () => {
    const ids = CLASSIC_RULES.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    for (const id of ids) expect(id.startsWith('classic/'), id).toBe(true);
  });

  it('registers every module of src/rules/classic, under the id of its file name', async () => {
    const files = filesUnder(fromRoot('src/rules/classic/'), '.ts');
    expect(files.length).toBe(CLASSIC_RULES.length);
    for (const file of files) {
      const module = (await import(`../../src/rules/classic/${file.replace(/\.ts$/, '.js')}`)) as {
        default?: Rule;
      };
      expect(module.default, `${file} has no default export`).toBeDefined();
      expect(
        CLASSIC_RULES.includes(module.default as Rule),
        `${file} is not registered in src/rules/index.ts`,
      ).toBe(true);
      expect(module.default?.id, `id of ${file}`).toBe(`classic/${file.replace(/\.ts$/, '')}`);
    }
  });
});

describe.each(DEFAULT_CATALOG.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
  it('has its doc: title, severity line, the four sections in order, its types and links', () => {
    expect(rule.doc).toBe(`docs/rules/${id}.md`);
    if (rule.docMarkdown === undefined)
      expect(existsSync(fromRoot(rule.doc)), `${rule.doc} is missing`).toBe(true);
    const doc = rule.docMarkdown ?? read(rule.doc);
    const lines = doc.split('\n');
    expect(lines[0], 'first line').toBe(`# ${id}`);
    expect(doc).toContain(`**Severity:** ${rule.severity}`);
    const positions = SECTIONS.map((s) => lines.indexOf(s));
    for (const [i, section] of SECTIONS.entries())
      expect(positions[i], `section ${section}`).toBeGreaterThan(0);
    expect(positions, 'sections out of order').toEqual([...positions].sort((a, b) => a - b));
    for (const type of rule.appliesTo) expect(doc, `doc names the type ${type}`).toContain(type);
    for (const link of rule.links) expect(doc, `doc links ${link}`).toContain(link);
    if (rule.deadline) expect(doc).toContain(rule.deadline);
  });

  it('has metadata a report can show', () => {
    expect(rule.title.length).toBeGreaterThan(0);
    expect(rule.recommendation.length).toBeGreaterThan(20);
    expect(rule.links.length).toBeGreaterThan(0);
    for (const link of rule.links) expect(link).toMatch(/^https:\/\//);
    for (const type of [...rule.appliesTo, ...rule.uses]) expect(type).toBe(type.toLowerCase());
    if (rule.manual) expect(rule.severity).toBe('info');
  });

  if (id.startsWith('classic/')) {
    it('has its named-fixture test, importing the rule module', () => {
      const test = `test/rules/classic/${nameOf(rule)}.test.ts`;
      expect(existsSync(fromRoot(test)), `${test} is missing`).toBe(true);
      expect(read(test)).toContain(`src/rules/classic/${nameOf(rule)}.js`);
    });

    it('links Microsoft Learn', () => {
      expect(rule.links.some((l) => l.startsWith('https://learn.microsoft.com/'))).toBe(true);
    });
  }
});

/** A row as `az resource list` exports it: id, name, type in mixed case, location, and no `properties`. */
function listedRow(type: string, properties?: unknown): ResourceRow {
  const [provider, ...kinds] = type.split('/');
  const mixed = (s: string) =>
    s.replace(/(^|\.)([a-z])/g, (_m, dot: string, c: string) => dot + c.toUpperCase());
  const id = `/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg/providers/${mixed(provider ?? '')}/${kinds.join('/')}/row-1`;
  const parsed = toResourceRow({
    id,
    name: 'row-1',
    type: `${mixed(provider ?? '')}/${kinds.join('/')}`,
    location: 'westeurope',
    ...(properties === undefined ? {} : { properties }),
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.row;
}

describe.each(DEFAULT_CATALOG.map((rule) => [rule.id, rule] as const))(
  '%s, given a row without properties',
  (id, rule) => {
    const now = new Date('2026-11-26T00:00:00Z');
    const decide = (row: ResourceRow) => rule.evaluate(row, { now, index: buildScanIndex([row]) });

    it.each(rule.appliesTo.map((type) => [type]))('%s', (type) => {
      const bare = listedRow(type);
      expect(bare.properties, 'the fixture carries no properties').toBeUndefined();
      if (rule.typeOnly) {
        // A type-only rule decides the same with or without properties.
        expect(decide(bare).kind, id).toBe(decide(listedRow(type, {})).kind);
      } else {
        expect(decide(bare), id).toEqual({ kind: 'not-applicable', reason: NO_PROPERTIES });
      }
    });

    it('says in its doc whether it decides from the type only or from properties', () => {
      // Data-defined retirements carry their doc (built from Advisor's catalog): the sources decide them.
      const doc = rule.docMarkdown ?? read(rule.doc);
      const line = doc.split('\n').find((l) => l.startsWith('**Severity:**')) ?? '';
      expect(line, `severity line of ${rule.doc}`).toContain(
        rule.docMarkdown !== undefined
          ? "**Decides from:** Azure Advisor's and Service Health's records"
          : rule.typeOnly
            ? '**Decides from:** the resource type'
            : '**Decides from:** properties (a row without them is not applicable)',
      );
    });

    if (rule.manual || rule.deadline) {
      it('is type-only: a manual check or a retirement', () => {
        expect(rule.typeOnly).toBe(true);
      });
    }
  },
);

describe('no orphans', () => {
  it('every doc under docs/rules belongs to a registered rule', () => {
    const docs = filesUnder(fromRoot('docs/rules/'), '.md').map((f) => `docs/rules/${f}`);
    expect(docs.filter((d) => !DEFAULT_CATALOG.some((r) => r.doc === d))).toEqual([]);
  });

  it('every test file under test/rules/classic names a registered rule', () => {
    const tests = filesUnder(fromRoot('test/rules/classic/'), '.test.ts');
    const orphans = tests.filter((t) => !CLASSIC_RULES.some((r) => `${nameOf(r)}.test.ts` === t));
    expect(orphans).toEqual([]);
  });
});
