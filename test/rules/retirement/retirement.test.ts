import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/core/engine.js';
import { toResourceRow, type ResourceRow } from '../../../src/core/resource.js';
import type { Urgency } from '../../../src/core/urgency.js';
import type { Rule } from '../../../src/rules/define-rule.js';
import { buildCatalog, DEFAULT_CATALOG } from '../../../src/rules/index.js';
import {
  applyFeed,
  BUILT_IN_RETIREMENTS,
  parseRetirementFeed,
  type Retirement,
} from '../../../src/rules/retirement/catalog.js';
import { retirementRules } from '../../../src/rules/retirement/retirement-rules.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { RETIREMENT_FEED_SNAPSHOT } from '../../support/spec.js';
import { armId, cloudService, ripId, shouting, storage, T, vm, vnet, nsgId } from '../fixtures.js';

/** The official Azure retirement feed: the snapshot kept under test/fixtures (MIT, with its source). */
const FEED_FILE = RETIREMENT_FEED_SNAPSHOT;
const readFeed = (): unknown => JSON.parse(readFileSync(FEED_FILE, 'utf8'));

const DEADLINES: Record<string, string> = {
  'retirement/classic-vm': '2023-09-06',
  'retirement/cloud-services-classic': '2024-08-31',
  'retirement/classic-storage': '2024-08-31',
  'retirement/classic-networking': '2024-08-31',
  'retirement/cloud-services-extended-support': '2027-03-31',
  'retirement/linux-consumption-plan': '2028-09-30',
};
const FEED_IDS: Record<string, string | null> = {
  'retirement/classic-vm': null,
  'retirement/cloud-services-classic': '38',
  'retirement/classic-storage': '7',
  'retirement/classic-networking': '232',
  'retirement/cloud-services-extended-support': '950',
  'retirement/linux-consumption-plan': '345',
};

function ruleOf(id: string, rules: readonly Rule[] = DEFAULT_CATALOG): Rule {
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
}

const plan = (name: string, sku: unknown, kind?: unknown) =>
  row('microsoft.web/serverfarms', armId('Microsoft.Web', 'serverFarms', name), {}, { sku, kind });
const extended = (name: string) =>
  row('microsoft.compute/cloudservices', armId('Microsoft.Compute', 'cloudServices', name), {});

/** One row of every type the retirement pack knows, plus noise; names say the type. */
const ROWS = {
  'vm-A': vm('vm-A', {}),
  'vm-B': shouting(vm('vm-B', null)),
  'cs-A': cloudService('cs-A', {}),
  'sa-A': storage('saa'),
  'vnet-A': vnet('vnet-A'),
  'rip-A': row(T.reservedIp, ripId('rip-A'), { inUse: true }),
  'nsg-A': shouting(row(T.nsg, nsgId('nsg-A'), null)),
  'ext-A': extended('ext-A'),
  'plan-A': plan('plan-A', { tier: 'Dynamic', name: 'Y1' }, 'functionapp,linux'),
  'arm-vm-A': row(
    'microsoft.compute/virtualmachines',
    armId('Microsoft.Compute', 'virtualMachines', 'arm-vm-A'),
    {},
  ),
};
const ALL = Object.keys(ROWS);
const except = (...names: string[]) => ALL.filter((n) => !names.includes(n));

describe('retirement rules', () => {
  it('are the six of rules.md with their deadlines and feed ids', () => {
    expect(BUILT_IN_RETIREMENTS.map((r) => [r.id, r.deadline, r.feedId])).toEqual(
      Object.keys(DEADLINES).map((id) => [id, DEADLINES[id], FEED_IDS[id]]),
    );
    for (const [id, deadline] of Object.entries(DEADLINES))
      expect(ruleOf(id).deadline).toBe(deadline);
  });

  it.each([
    ['retirement/classic-vm', ['vm-A', 'vm-B']],
    ['retirement/cloud-services-classic', ['cs-A']],
    ['retirement/classic-storage', ['sa-A']],
    ['retirement/classic-networking', ['vnet-A', 'rip-A', 'nsg-A']],
    ['retirement/cloud-services-extended-support', ['ext-A']],
    ['retirement/linux-consumption-plan', ['plan-A']],
  ])('%s fires on exactly its types', (id, fail) => {
    expectVerdicts(ruleOf(id), { rows: ROWS, fail, pass: [], notApplicable: except(...fail) });
  });

  it('a user entry whose selector reads under properties is not type-only: no properties, not applicable', () => {
    const [rule] = retirementRules([
      {
        id: 'retirement/premium-classic-storage',
        title: 'Premium classic storage is retired',
        deadline: '2027-01-31',
        link: 'https://learn.microsoft.com/azure/storage/common/classic-account-migration-overview',
        feedId: null,
        selector: {
          types: [T.storage],
          all: [{ path: 'properties.accountType', contains: 'premium' }],
        },
      },
    ]);
    if (!rule) throw new Error('no rule');
    expect(rule.typeOnly).toBe(false);
    expect(DEFAULT_CATALOG.filter((r) => r.deadline).every((r) => r.typeOnly)).toBe(true);
    expectVerdicts(rule, {
      rows: {
        'sa-A': storage('saa', { accountType: 'Premium-LRS' }),
        'sa-B': storage('sab', { accountType: 'Standard-GRS' }),
        'sa-C': storage('sac', null),
      },
      fail: ['sa-A'],
      pass: [],
      notApplicable: ['sa-B', 'sa-C'],
    });
  });

  it('retirement/linux-consumption-plan needs sku.tier Dynamic and a kind containing linux, case-insensitively', () => {
    expectVerdicts(ruleOf('retirement/linux-consumption-plan'), {
      rows: {
        'plan-A': plan('plan-A', { tier: 'Dynamic', name: 'Y1' }, 'functionapp,linux'),
        'plan-B': plan('plan-B', { tier: 'dynamic' }, 'FunctionApp,Linux'),
        'plan-C': plan('plan-C', { tier: 'ElasticPremium' }, 'elastic,linux'),
        'plan-D': plan('plan-D', { tier: 'Dynamic' }, 'functionapp'),
        'plan-E': plan('plan-E', null, 'linux'),
        'plan-F': plan('plan-F', { tier: 'Dynamic' }),
        'plan-G': plan('plan-G', { tier: 42 }, 'linux'),
        'plan-H': plan('plan-H', 'Dynamic', 'linux'),
        'plan-I': shouting(plan('plan-I', { tier: 'DYNAMIC' }, 'LINUX')),
        'plan-J': plan('plan-J', { tier: 'Dynamic' }, ['linux']),
        'vm-A': vm('vm-A', {}),
      },
      fail: ['plan-A', 'plan-B', 'plan-I'],
      pass: [],
      notApplicable: ['plan-C', 'plan-D', 'plan-E', 'plan-F', 'plan-G', 'plan-H', 'plan-J', 'vm-A'],
      messages: { 'plan-A': '2028-09-30' },
    });
  });
});

describe('urgency through the engine', () => {
  const DAY = 86_400_000;
  const linuxPlan = (() => {
    const parsed = toResourceRow(ROWS['plan-A']);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.row;
  })();
  const urgencyAt = (now: Date, rows: readonly ResourceRow[] = [linuxPlan]) => {
    const result = evaluate(rows, { rules: DEFAULT_CATALOG, now });
    expect(result.ruleErrors).toEqual([]);
    return result.findings
      .filter((f) => f.ruleId.startsWith('retirement/'))
      .map((f) => [f.ruleId, f.deadline, f.urgency]);
  };
  /** Noon UTC, `days` before 2028-09-30 (negative: after it). */
  const before = (days: number) => new Date(Date.UTC(2028, 8, 30, 12) - days * DAY);

  it.each<[number, Urgency]>([
    [-365, 'overdue'],
    [-1, 'overdue'],
    [0, 'due-7'],
    [7, 'due-7'],
    [8, 'due-30'],
    [30, 'due-30'],
    [31, 'due-90'],
    [90, 'due-90'],
    [91, 'due-180'],
    [180, 'due-180'],
    [181, 'later'],
    [1000, 'later'],
  ])('%i days before the deadline the finding is %s', (days, urgency) => {
    expect(urgencyAt(before(days))).toEqual([
      ['retirement/linux-consumption-plan', '2028-09-30', urgency],
    ]);
  });

  it('reports the past retirements as overdue on 2026-11-26', () => {
    const rows = [ROWS['vm-A'], ROWS['cs-A'], ROWS['sa-A'], ROWS['vnet-A'], ROWS['ext-A']].map(
      (raw) => {
        const parsed = toResourceRow(raw);
        if (!parsed.ok) throw new Error(parsed.reason);
        return parsed.row;
      },
    );
    expect(urgencyAt(new Date('2026-11-26T00:00:00Z'), rows).sort()).toEqual(
      [
        ['retirement/classic-networking', '2024-08-31', 'overdue'],
        ['retirement/classic-storage', '2024-08-31', 'overdue'],
        ['retirement/classic-vm', '2023-09-06', 'overdue'],
        ['retirement/cloud-services-classic', '2024-08-31', 'overdue'],
        ['retirement/cloud-services-extended-support', '2027-03-31', 'due-180'],
      ].sort(),
    );
  });

  it('gives no urgency to migration findings', () => {
    const parsed = toResourceRow(ROWS['vm-A']);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { findings } = evaluate([parsed.row], {
      rules: DEFAULT_CATALOG,
      now: new Date('2026-11-26'),
    });
    const migration = findings.filter((f) => f.ruleId.startsWith('classic/'));
    expect(migration.length).toBeGreaterThan(0);
    for (const f of migration)
      expect(f.urgency === undefined && f.deadline === undefined).toBe(true);
  });
});

describe('the official retirement feed (test/fixtures/azure-eol/service_list.json)', () => {
  it('parses in full, keeping entries whose RetirementDate is empty without a date', () => {
    const raw = readFeed();
    expect(Array.isArray(raw)).toBe(true);
    const list = raw as Record<string, unknown>[];
    const feed = parseRetirementFeed(raw);
    expect(feed.length).toBe(
      list.filter((e) => typeof e.Id === 'string' || typeof e.Id === 'number').length,
    );
    const undated = list.filter((e) => e.RetirementDate === '').map((e) => String(e.Id));
    expect(undated.length, 'the feed has entries with an empty RetirementDate').toBeGreaterThan(0);
    for (const id of undated) {
      const entry = feed.find((e) => e.id === id);
      expect(entry, `entry ${id}`).toBeDefined();
      expect(entry?.retirementDate, `entry ${id} carries no date`).toBeUndefined();
    }
  });

  it('has every feed id of the catalog, with the catalog deadline (the catalog is in sync)', () => {
    const feed = parseRetirementFeed(readFeed());
    for (const entry of BUILT_IN_RETIREMENTS) {
      if (entry.feedId === null) continue;
      const fromFeed = feed.find((e) => e.id === entry.feedId);
      expect(fromFeed, `feed id ${entry.feedId} (${entry.id})`).toBeDefined();
      expect(fromFeed?.retirementDate, entry.id).toBe(entry.deadline);
    }
    const refreshed = applyFeed(BUILT_IN_RETIREMENTS, feed);
    expect(refreshed.map((r) => [r.id, r.deadline])).toEqual(
      BUILT_IN_RETIREMENTS.map((r) => [r.id, r.deadline]),
    );
  });

  it('reads the same from a bare array and from { version, content }', () => {
    const raw = readFeed();
    expect(parseRetirementFeed({ version: '2', content: raw })).toEqual(parseRetirementFeed(raw));
  });

  it('overrides deadlines and links by feed id, leaves entries without a date and without a feed id alone', () => {
    const raw = readFeed() as Record<string, unknown>[];
    const edited = raw.map((e) => {
      if (String(e.Id) === '345')
        return { ...e, RetirementDate: '2029-01-15', Link: 'https://example.com/345' };
      if (String(e.Id) === '38') return { ...e, RetirementDate: '' };
      return e;
    });
    // The feed mixes number and string ids; a string "345" must match as well as 345.
    const stringIds = edited.map((e) => ({ ...e, Id: String(e.Id) }));
    for (const shape of [edited, { version: 'x', content: stringIds }]) {
      const refreshed = applyFeed(BUILT_IN_RETIREMENTS, parseRetirementFeed(shape));
      const byId = new Map<string, Retirement>(refreshed.map((r) => [r.id, r]));
      expect(byId.get('retirement/linux-consumption-plan')?.deadline).toBe('2029-01-15');
      expect(byId.get('retirement/linux-consumption-plan')?.link).toBe('https://example.com/345');
      expect(byId.get('retirement/cloud-services-classic')?.deadline).toBe('2024-08-31');
      expect(byId.get('retirement/classic-vm')?.deadline).toBe('2023-09-06');
      const rule = ruleOf('retirement/linux-consumption-plan', buildCatalog(refreshed));
      expect(rule.deadline).toBe('2029-01-15');
      expect(retirementRules(refreshed).map((r) => r.id)).toEqual(Object.keys(DEADLINES));
    }
  });

  it('refuses what is not a feed', () => {
    expect(() => parseRetirementFeed({ version: '1' })).toThrow(/not a retirement feed/);
    expect(() => parseRetirementFeed('[]')).toThrow();
    expect(parseRetirementFeed([null, 1, { ServiceName: 'no id' }])).toEqual([]);
  });
});
