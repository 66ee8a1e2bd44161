// The emulator's KQL subset: what it accepts, what it means, and that anything else fails loudly.
import { describe, expect, it } from 'vitest';
import {
  COLUMNS,
  compileQuery,
  KqlError,
  parseQuery,
  TABLES,
  type Row,
} from '../../../dev/emulators/resource-graph/kql.js';

const rows: Row[] = [
  {
    id: '/s/1/a',
    name: 'alpha',
    type: 'microsoft.classiccompute/virtualmachines',
    location: 'westeurope',
    tags: { Owner: 'x@y.example', env: 'prod' },
    subscriptionId: 'S1',
  },
  {
    id: '/s/1/B',
    name: 'Bravo',
    type: 'Microsoft.ClassicCompute/virtualMachines',
    location: 'northeurope',
    tags: { owner: 'z@y.example' },
    subscriptionId: 'S1',
  },
  {
    id: '/s/2/c',
    name: 'charlie',
    type: 'microsoft.classicstorage/storageaccounts',
    location: 'westeurope',
    subscriptionId: 'S2',
    kind: "it's",
  },
  {
    id: '/s/2/d',
    name: 'delta',
    type: 'microsoft.network/virtualnetworks',
    location: 'eastus',
    tags: {},
    subscriptionId: 'S2',
  },
];

function run(query: string): string[] {
  return compileQuery(query)
    .run(rows)
    .map((r) => String(r.name));
}

function failure(query: string): KqlError {
  try {
    compileQuery(query);
  } catch (error) {
    if (error instanceof KqlError) return error;
    throw error;
  }
  throw new Error(`expected "${query}" to be rejected`);
}

describe('KQL subset: comparisons', () => {
  it('== and in are case-sensitive, =~ and in~ are not', () => {
    expect(run("resources | where type == 'microsoft.classiccompute/virtualmachines'")).toEqual([
      'alpha',
    ]);
    expect(run("resources | where type =~ 'microsoft.classiccompute/virtualmachines'")).toEqual([
      'alpha',
      'Bravo',
    ]);
    expect(
      run("resources | where type in ('microsoft.classiccompute/virtualmachines', 'x')"),
    ).toEqual(['alpha']);
    expect(
      run(
        "resources | where type in~ ('MICROSOFT.CLASSICCOMPUTE/VIRTUALMACHINES', 'microsoft.classicstorage/storageaccounts')",
      ),
    ).toEqual(['alpha', 'Bravo', 'charlie']);
    expect(run("resources | where type !in~ ('microsoft.classiccompute/virtualmachines')")).toEqual(
      ['charlie', 'delta'],
    );
    expect(run("resources | where name != 'alpha' and name !~ 'BRAVO'")).toEqual([
      'charlie',
      'delta',
    ]);
  });

  it('contains, startswith and endswith ignore case', () => {
    expect(run("resources | where type contains 'CLASSIC'")).toEqual(['alpha', 'Bravo', 'charlie']);
    expect(run("resources | where type !contains 'classic'")).toEqual(['delta']);
    expect(run("resources | where name startswith 'b'")).toEqual(['Bravo']);
    expect(run("resources | where id endswith '/B'")).toEqual(['Bravo']);
  });

  it('reads tags by bracket or dot; a missing tag compares as empty', () => {
    expect(run("resources | where tags['Owner'] == 'x@y.example'")).toEqual(['alpha']);
    expect(run("resources | where tags.owner contains '@'")).toEqual(['Bravo']);
    expect(run('resources | where tags["env"] != \'prod\'')).toEqual(['Bravo', 'charlie', 'delta']);
  });

  it('combines with and/or/not and parentheses (and binds tighter)', () => {
    expect(
      run("resources | where name == 'alpha' or name == 'charlie' and location == 'eastus'"),
    ).toEqual(['alpha']);
    expect(
      run("resources | where (name == 'alpha' or name == 'charlie') and location == 'westeurope'"),
    ).toEqual(['alpha', 'charlie']);
    expect(run("resources | where not(location == 'westeurope')")).toEqual(['Bravo', 'delta']);
    expect(
      run("resources | where location == 'westeurope' | where subscriptionId == 'S2'"),
    ).toEqual(['charlie']);
  });

  it('decodes escapes in single- and double-quoted strings, and verbatim strings', () => {
    expect(run("resources | where kind == 'it\\'s'")).toEqual(['charlie']);
    expect(run('resources | where kind == "it\'s"')).toEqual(['charlie']);
    expect(run("resources | where kind == @'it''s'")).toEqual(['charlie']);
    expect(run("resources | where name == 'al\\u0070ha'")).toEqual(['alpha']);
  });
});

describe('KQL subset: order, project, take', () => {
  it('orders descending by default, ordinally (upper case before lower case)', () => {
    expect(run('resources | order by id')).toEqual(run('resources | order by id desc'));
    expect(run('resources | order by id desc')).toEqual(['delta', 'charlie', 'alpha', 'Bravo']);
    expect(run('resources | sort by id asc')).toEqual(['Bravo', 'alpha', 'charlie', 'delta']);
    expect(run('resources | order by location asc, name desc')).toEqual([
      'delta',
      'Bravo',
      'charlie',
      'alpha',
    ]);
  });

  it('projects the listed columns, null where a row lacks one', () => {
    const out = compileQuery(
      "resources | where name in ('charlie', 'delta') | project name, tags, kind",
    ).run(rows);
    expect(out).toEqual([
      { name: 'charlie', tags: null, kind: "it's" },
      { name: 'delta', tags: {}, kind: null },
    ]);
  });

  it('is pageable only while id is projected', () => {
    expect(compileQuery('resources | project id, name').pageable).toBe(true);
    expect(compileQuery('resources | project name').pageable).toBe(false);
    expect(compileQuery('resources').pageable).toBe(true);
  });

  it('takes the first N rows', () => {
    expect(run('resources | order by id asc | take 2')).toEqual(['Bravo', 'alpha']);
    expect(run('resources | limit 1')).toEqual(['alpha']);
  });

  it('knows the three tables, case-insensitively', () => {
    expect(parseQuery('Resources').table).toBe('resources');
    expect(parseQuery('ResourceContainers | where type == "x"').table).toBe('resourcecontainers');
    expect(parseQuery('AuthorizationResources').table).toBe('authorizationresources');
  });
});

describe('KQL subset: rejections name what and where', () => {
  it.each([
    ['resources | summarize count() by type', /unsupported query operator 'summarize'/, 12],
    ['resources | extend x = 1', /unsupported query operator 'extend'/, 12],
    // Microsoft's diagnostics (code in parentheses) for what is not valid KQL or not in the schema.
    ['resources | where type = "x"', /The expression must have the type bool\. \(KS141\)/, 18],
    ["resources | where type == 'x", /Missing: ' \(KS001\)/, 28],
    [
      'securityresources | take 1',
      /'securityresources' does not refer to any known table.*KS204/,
      0,
    ],
    ['resources | where isnotempty(name)', /function 'isnotempty\(\)' is not supported/, 18],
    ['resources | where type has "x"', /unsupported comparison operator 'has'/, 23],
    [
      "resources | project name | where type == 'x'",
      /'type' does not refer to any known column.*KS142/,
      33,
    ],
    ["resources | where Type == 'x'", /'Type' does not refer to any known column.*KS142/, 18],
    ['resources | project properties.name', /'project' of a member expression/, 20],
    ['resources | join (resources) on id', /unsupported query operator 'join'/, 12],
    ['resources |', /Query operator expected\. \(KS176\)/, 11],
    ['resources | take 1000000000000000000000', /expected a row count after 'take'/, 17],
  ])('%s', (query, message, offset) => {
    const error = failure(query);
    expect(error.message).toMatch(message);
    expect(error.offset).toBe(offset);
    expect(error.describe()).toContain(`offset ${offset}`);
  });

  it('reports line and column on multi-line queries', () => {
    const error = failure('resources\n| where name == "a"\n| mv-expand x');
    expect(error.message).toMatch(/unsupported query operator 'mv-expand'/);
    expect(error.where).toBe('line 3, column 3');
  });
});

describe("Microsoft's Kusto parser decides what is KQL", () => {
  it('answers queries Azure accepts that a hand-written grammar refused', () => {
    // Adjacent string literals concatenate; obfuscated, multi-line and bracketed names are KQL too.
    expect(run('resources | where name in ("al" "pha", "delta")')).toEqual(['alpha', 'delta']);
    expect(run("resources | where name == h'alpha'")).toEqual(['alpha']);
    expect(run('resources | where name == ```alpha```')).toEqual(['alpha']);
    expect(run("resources | where ['name'] == 'alpha'")).toEqual(['alpha']);
    expect(run("resources | where tags['Owner'] == 'x@y.' 'example'")).toEqual(['alpha']);
  });

  it("refuses what Azure's analyser refuses, with its diagnostic code", () => {
    const duplicate = failure('resources | project id, name, id');
    expect(duplicate.message).toMatch(/A column with the name 'id' is already declared.*KS171/);
    expect(duplicate.offset).toBe(30);
    const notBool = failure("resources | where name contains 'a' | where name");
    expect(notBool.message).toMatch(/must have the type bool.*KS141/);
  });

  it('knows the columns Resource Graph documents, and no others', () => {
    for (const column of COLUMNS) {
      expect(() => compileQuery(`resources | project ${column}`)).not.toThrow();
    }
    expect(failure('resources | project systemData').message).toMatch(/KS142/);
  });

  it('serves the five tables of the schema, the retirement sources included, and no other', () => {
    expect(TABLES).toEqual([
      'resources',
      'resourcecontainers',
      'authorizationresources',
      'advisorresources',
      'servicehealthresources',
    ]);
    expect(() => failure('healthresources | take 1')).not.toThrow();
  });
});
