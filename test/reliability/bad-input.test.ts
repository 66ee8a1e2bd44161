// Bad input: malformed rows, huge property bags and hostile strings — offline (scanExport) and through
// Resource Graph into Table Storage — and configuration with wrong values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../dev/emulators/resource-graph/server.js';
import { classicVmRow, resourceRow, type Row } from '../../dev/tenants/build.js';
import { findingRowKey } from '../../src/adapters/tables/keys.js';
import { TableFindingStore } from '../../src/adapters/tables/table-store.js';
import { scanExport } from '../../src/app/scan-export.js';
import type { Logger } from '../../src/app/ports.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { CLASSIC_VM, storedFindings } from './helpers.js';

const SUB = 'badbadba-0000-4000-8000-000000000001';
const HOSTILE = {
  script: 'vm-<script>alert(1)</script>',
  controls: 'vm-\u0001\u0007\u001b[31mred\u001b[0m\u007f\t\r\nend',
  rtl: 'vm-\u202etxt.exe',
  quotes: `vm-'or''='"; DROP TABLE x;--`,
  unicode: 'vm-€-漢字-🙂-\u200b',
  // Long, yet within what Table Storage keys allow once encoded (see the long-key block below for longer ones).
  long: `vm-${'n'.repeat(250)}`,
} as const;

function vm(name: string, extra: Partial<Parameters<typeof classicVmRow>[0]> = {}): Row {
  return classicVmRow({
    subscriptionId: SUB,
    name,
    cloudService: 'cs-hostile',
    osDisk: { account: 'sthostile', blob: `${name.length > 100 ? 'long' : 'vm'}-os.vhd` },
    ...extra,
  });
}

/** A VM whose properties hold ~2 MB of extra data. */
function hugeVm(): Row {
  const row = vm('vm-huge');
  const padding = Array.from({ length: 20_000 }, (_, i) => ({
    key: `k${i}`,
    value: 'v'.repeat(90),
  }));
  return { ...row, properties: { ...(row.properties as object), padding } };
}

/** A VM with 10,000 extensions, one of them an XML extension (BGInfo 1.1). */
function manyExtensionsVm(): Row {
  const extensions = Array.from({ length: 10_000 }, (_, i) => ({
    extension: `Custom${i}`,
    publisher: 'Contoso.Extensions',
    version: '1.0',
  }));
  extensions[7_777] = { extension: 'BGInfo', publisher: 'Microsoft.Compute', version: '1.1' };
  return vm('vm-many-extensions', { extensions });
}

/** Rows without a usable id (or type): skipped, never evaluated. */
const MALFORMED_OBJECTS: Row[] = [
  { type: CLASSIC_VM, subscriptionId: SUB, name: 'no-id' },
  { id: '', type: CLASSIC_VM, subscriptionId: SUB, name: 'empty-id' },
  { id: 42, type: CLASSIC_VM, subscriptionId: SUB, name: 'number-id' },
  { id: null, type: CLASSIC_VM, subscriptionId: SUB, name: 'null-id' },
];

const HOSTILE_ROWS = Object.values(HOSTILE).map((name) => vm(name));
const VALID_ROWS = [...HOSTILE_ROWS, hugeVm(), manyExtensionsVm()];

describe('scanExport over bad rows', () => {
  it('skips malformed rows with a reason, and evaluates huge and hostile rows without error', () => {
    const rows: unknown[] = [
      null,
      42,
      'a string',
      [],
      {},
      {
        id: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/no-type',
      },
      ...MALFORMED_OBJECTS,
      ...VALID_ROWS,
    ];
    expect(JSON.stringify((VALID_ROWS.at(-2) as Row).properties).length).toBeGreaterThan(
      2 * 2 ** 20,
    );
    const result = scanExport(rows, { rules: DEFAULT_CATALOG, now: new Date() });

    const malformed = 6 + MALFORMED_OBJECTS.length;
    expect(result.skipped.map((s) => s.index)).toEqual(
      Array.from({ length: malformed }, (_, i) => i),
    );
    expect(result.skipped[0]?.reason).toBe('row is not an object');
    expect(result.skipped[4]?.reason).toBe('row has no string "id"');
    expect(result.skipped[5]?.reason).toMatch(/has no string "type"/);
    expect(result.ruleErrors).toEqual([]);
    expect(result.rows).toHaveLength(VALID_ROWS.length);
    expect(result.report.resources).toBe(VALID_ROWS.length);

    const findings = result.report.findings;
    // Every valid VM got its retirement finding, its name kept exactly as it came.
    const retired = findings.filter((f) => f.ruleId === 'retirement/classic-vm');
    expect(new Set(retired.map((f) => f.resourceName))).toEqual(
      new Set([...Object.values(HOSTILE), 'vm-huge', 'vm-many-extensions']),
    );
    const xml = findings.filter((f) => f.ruleId === 'classic/vm-xml-extensions');
    expect(xml.map((f) => f.resourceName)).toEqual(['vm-many-extensions']);
    expect(xml[0]?.message).toMatch(/BGInfo/);
  });
});

describe('bad rows through Resource Graph into Table Storage', () => {
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }),
  };
  const tenant: Tenant = {
    subscriptions: [{ subscriptionId: SUB, displayName: 'Hostile <b>subscription</b> \u202e' }],
    resources: [...MALFORMED_OBJECTS, ...VALID_ROWS],
  };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tenant, log });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the scan succeeds: rows without an id skipped, huge rows evaluated, hostile names stored intact', async () => {
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.status).toBe('succeeded');
    expect(record.ruleErrors).toBe(0);
    expect(record.resources).toBe(VALID_ROWS.length);
    expect(logged.filter((l) => l.message === 'malformed row skipped')).toHaveLength(
      MALFORMED_OBJECTS.length,
    );

    const stored = await storedFindings(stack.store, [SUB]);
    expect(stored.size).toBe(record.counts.open);
    const offline = scanExport(tenant.resources, { rules: DEFAULT_CATALOG, now: new Date() });
    expect(new Set([...stored.values()].map((f) => `${f.ruleId}|${f.resourceName}`))).toEqual(
      new Set(offline.report.findings.map((f) => `${f.ruleId}|${f.resourceName}`)),
    );
    for (const name of Object.values(HOSTILE)) {
      const finding = [...stored.values()].find(
        (f) => f.ruleId === 'retirement/classic-vm' && f.resourceName === name,
      );
      expect(finding, JSON.stringify(name)).toBeDefined();
      expect(finding?.resourceId).toBe(vm(name).id);
    }
    expect([...stored.values()].some((f) => f.ruleId === 'classic/vm-xml-extensions')).toBe(true);
    expect((await stack.store.readSubscription(SUB))?.displayName).toBe(
      tenant.subscriptions[0]?.displayName,
    );

    // A rescan of the same hostile tenant is a no-op: the names round-trip to the same keys.
    const again = await stack.scan({ kind: 'tenant' });
    expect(again.status).toBe('succeeded');
    expect(again.counts).toMatchObject({ new: 0, resolved: 0, open: record.counts.open });
  });

  // Was a bug (src/adapters/tables/keys.ts): encodeKey let keys grow to 1000 characters before it shortened
  // them, but Table Storage keys hold 1 KiB of UTF-16, 512 characters (Azurite rejects longer ones with
  // InvalidInput). Percent-encoding makes every non-ASCII character 6 to 9 characters, so an ARM resource
  // in a resource group with a Unicode name of 40-odd letters (names may have 90) gets a finding whose
  // row key is refused. The transaction holding it fails, the sink throws, and the whole subscription —
  // every finding of it — fails to store on every scan.
  const LONG_KEY_SUB = 'badbadba-0000-4000-8000-000000000002';
  const UNICODE_GROUP = `本番環境-${'関数アプリ'.repeat(9)}`; // 50 letters, well within the 90 allowed
  const longKeyTenant: Tenant = {
    subscriptions: [{ subscriptionId: LONG_KEY_SUB, displayName: 'Unicode resource group' }],
    resources: [
      resourceRow({
        subscriptionId: LONG_KEY_SUB,
        resourceGroup: UNICODE_GROUP,
        type: 'microsoft.compute/cloudservices',
        name: 'cses-orders',
      }),
      classicVmRow({
        subscriptionId: LONG_KEY_SUB,
        name: 'vm-plain',
        cloudService: 'cs-plain',
        osDisk: { account: 'stplain', blob: 'vm-plain-os.vhd' },
      }),
    ],
  };

  it("that finding's encoded id is 513..1000 characters, and its row key is shortened to fit", () => {
    const id = String(longKeyTenant.resources[0]?.id);
    const encoded = encodeURIComponent(
      `retirement/cloud-services-extended-support|${id}`.toLowerCase(),
    );
    expect(encoded.length).toBeGreaterThan(512);
    expect(encoded.length).toBeLessThanOrEqual(1000);
    const key = findingRowKey('retirement/cloud-services-extended-support', id);
    expect(key.length).toBeLessThanOrEqual(512);
    expect(key).not.toBe(encoded);
  });

  it('a resource in a resource group with a long Unicode name is stored, and its subscription completes', async () => {
    stack.graph.setTenant(longKeyTenant);
    const store = new TableFindingStore({
      connection: { kind: 'connectionString', value: stack.azurite.connectionString },
      prefix: `${stack.prefix}long`,
    });
    const record = await stack.scan({ kind: 'tenant' }, { store });
    // Today: status 'failed', incomplete [{ reason: 'storing findings failed: 0:An error occurred while
    // processing this request. ...' }], and not even vm-plain's findings are stored.
    expect(record.incomplete).toEqual([]);
    expect(record.status).toBe('succeeded');
    expect(await store.loadFindings(LONG_KEY_SUB)).toHaveLength(record.counts.open);
  });
});

describe('configuration with wrong values', () => {
  const VALID = { TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
  const problemsOf = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  };

  it('accepts the valid base the cases start from', () => {
    expect(loadConfig(VALID).tables).toEqual({
      kind: 'connectionString',
      value: 'UseDevelopmentStorage=true',
    });
  });

  it.each([
    [{ SCAN_SCHEDULE: 'every hour' }, 'SCAN_SCHEDULE', /every hour/],
    [{ SCAN_SCOPE: 'everything' }, 'SCAN_SCOPE', /"everything" is not one of/],
    [{ SCAN_SCOPE: 'subscriptions', SCAN_SUBSCRIPTIONS: 'x' }, 'SCAN_SUBSCRIPTIONS', /GUID/],
    [{ RESOURCE_GRAPH_PAGE_SIZE: '5000' }, 'RESOURCE_GRAPH_PAGE_SIZE', /at most 1000/],
    [{ DEADLINE_THRESHOLDS_DAYS: '30,7' }, 'DEADLINE_THRESHOLDS_DAYS', /four increasing/],
    [{ COVERAGE_DROP_FRACTION: '2' }, 'COVERAGE_DROP_FRACTION', /at most 1/],
    [{ COMMUNICATION_SERVICES_ENDPOINT: 'https://acs.example' }, 'EMAIL_SENDER', /required/],
  ])('%o → ConfigError naming %s', (overrides, setting, why) => {
    const error = problemsOf({ ...VALID, ...overrides });
    expect(error.problems.map((p) => p.setting)).toEqual([setting]);
    expect(error.problems[0]?.message).toMatch(why);
    expect(error.message).toContain(setting);
  });

  it('no table storage at all → ConfigError naming TABLES_ENDPOINT', () => {
    const error = problemsOf({});
    expect(error.problems.map((p) => p.setting)).toEqual(['TABLES_ENDPOINT']);
    expect(error.message).toMatch(/TABLES_ENDPOINT.*TABLES_CONNECTION_STRING/);
  });

  it('every wrong setting at once is named in one error', () => {
    const error = problemsOf({
      SCAN_SCHEDULE: 'every hour',
      SCAN_SCOPE: 'subscriptions',
      SCAN_SUBSCRIPTIONS: 'x',
      RESOURCE_GRAPH_PAGE_SIZE: '5000',
      DEADLINE_THRESHOLDS_DAYS: '30,7',
      COVERAGE_DROP_FRACTION: '2',
      COMMUNICATION_SERVICES_ENDPOINT: 'https://acs.example',
    });
    expect(new Set(error.problems.map((p) => p.setting))).toEqual(
      new Set([
        'SCAN_SCHEDULE',
        'SCAN_SUBSCRIPTIONS',
        'RESOURCE_GRAPH_PAGE_SIZE',
        'DEADLINE_THRESHOLDS_DAYS',
        'COVERAGE_DROP_FRACTION',
        'EMAIL_SENDER',
        'TABLES_ENDPOINT',
      ]),
    );
  });

  it('a malformed Communication Services connection string is named, its key never shown', () => {
    const error = problemsOf({
      ...VALID,
      EMAIL_SENDER: 'noreply@contoso.example',
      COMMUNICATION_SERVICES_CONNECTION_STRING: 'endpoint=not-a-url;accesskey=SECRET123',
    });
    expect(error.problems.map((p) => p.setting)).toEqual([
      'COMMUNICATION_SERVICES_CONNECTION_STRING',
    ]);
    expect(error.message).not.toContain('SECRET123');
    expect(JSON.stringify(error.problems)).not.toContain('SECRET123');
  });

  it('EMAIL_SENDER without COMMUNICATION_SERVICES_*: accepted as it is (e-mail simply stays off)', () => {
    // The brief for this suite expected a ConfigError here; loadConfig only requires a sender when
    // Communication Services is configured, not the reverse. Pinned as it is; see the report.
    const config = loadConfig({ ...VALID, EMAIL_SENDER: 'noreply@contoso.example' });
    expect(config.email).toMatchObject({
      connection: { kind: 'none' },
      sender: 'noreply@contoso.example',
    });
  });

  // Was a bug (src/config.ts, url()): a value that is not a URL is echoed in full. A connection string pasted
  // into an endpoint setting — an easy mistake — puts its key into the start-up error, which the
  // Functions host logs as it is (ConfigError does not go through the redacting logger).
  it('a connection string pasted into an endpoint setting does not show its key', () => {
    for (const [name, value] of [
      ['COMMUNICATION_SERVICES_ENDPOINT', 'endpoint=https://acs.example/;accesskey=SECRET123'],
      [
        'TABLES_ENDPOINT',
        'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=SECRET123;EndpointSuffix=core.windows.net',
      ],
    ] as const) {
      const env: Record<string, string> = { [name]: value };
      if (name !== 'TABLES_ENDPOINT') env.TABLES_CONNECTION_STRING = 'UseDevelopmentStorage=true';
      const error = problemsOf(env);
      expect(error.problems.map((p) => p.setting)).toContain(name);
      expect(error.message, name).not.toContain('SECRET123');
    }
  });
});
