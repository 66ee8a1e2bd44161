// The hand-written readers of the views read what their PATH tables say, as `at` reads it: each view equals a
// reference built the generic way (the readers as they were before issue 17's rewrite), on random shapes and on
// every row of a generated tenant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import {
  accountOfBlobUri,
  blobNameOfUri,
  CLASSIC_VM,
  classicVm,
  PATH as VM_PATH,
  type ClassicVmView,
  type InputEndpoint,
  type VmDisk,
  type VmExtension,
  vmAvailabilitySet,
  vmCloudServiceId,
  vmDiskAccountKeys,
  vmDisks,
  vmVirtualNetwork,
} from '../../src/rules/views/classic-vm.js';
import {
  CLOUD_SERVICE,
  cloudService,
  PATH as CLOUD_SERVICE_PATH,
  type CloudServiceView,
} from '../../src/rules/views/cloud-service.js';
import { idTail, keyTail, resourceKey } from '../../src/rules/views/ids.js';
import { idLookup, itemsOfRow } from '../../src/rules/views/lookup.js';
import {
  at,
  bool,
  compilePaths,
  distinctTexts,
  isRecord,
  list,
  str,
  text,
} from '../../src/rules/views/values.js';

const VM = compilePaths(VM_PATH);
const CS = compilePaths(CLOUD_SERVICE_PATH);

/** The cloud service view read through `at` and the PATH table. */
function referenceCloudService(row: ResourceRow): CloudServiceView {
  const p = row.properties;
  return {
    roles: list(at(p, CS.roles))
      ?.filter(isRecord)
      .map((r) => ({ name: text(at(r, CS.roleName)), roleType: text(at(r, CS.roleType)) })),
    virtualNetworkId: text(at(p, CS.virtualNetworkId)),
  };
}

function referenceDisk(value: unknown, role: VmDisk['role']): VmDisk | undefined {
  if (!isRecord(value)) return undefined;
  const storageAccount = text(at(value, VM.diskAccount));
  const vhdUri = text(at(value, VM.diskVhd));
  const account = storageAccount ?? accountOfBlobUri(vhdUri);
  return {
    role,
    storageAccount,
    vhdUri,
    account,
    accountKey: account?.toLowerCase(),
    blobName: blobNameOfUri(vhdUri),
  };
}

/** The classic VM view read through `at` and the PATH table, step by step. */
function referenceVm(row: ResourceRow): ClassicVmView {
  const p = row.properties;
  const vnet = at(p, VM.virtualNetwork);
  const endpoints: InputEndpoint[] = [];
  for (const e of list(at(p, VM.inputEndpoints)) ?? []) {
    if (!isRecord(e)) continue;
    endpoints.push({
      name: text(at(e, VM.endpointName)),
      aclRules: list(at(e, VM.endpointAclRules))?.length ?? 0,
    });
  }
  const extensions: VmExtension[] = [];
  for (const e of list(at(p, VM.extensions)) ?? []) {
    if (!isRecord(e)) continue;
    extensions.push({
      extension: str(at(e, VM.extensionName)),
      publisher: str(at(e, VM.extensionPublisher)),
      version: str(at(e, VM.extensionVersion)),
      referenceName: str(at(e, VM.extensionReferenceName)),
    });
  }
  const disks: VmDisk[] = [];
  const os = referenceDisk(at(p, VM.osDisk), 'os');
  if (os) disks.push(os);
  for (const d of list(at(p, VM.dataDisks)) ?? []) {
    const data = referenceDisk(d, 'data');
    if (data) disks.push(data);
  }
  const known = isRecord(p);
  return {
    hasProperties: known,
    cloudServiceId: text(at(p, VM.cloudService)),
    availabilitySet: text(at(p, VM.availabilitySet)),
    virtualNetwork: isRecord(vnet)
      ? {
          id: text(at(vnet, VM.virtualNetworkId)),
          name: text(at(vnet, VM.virtualNetworkName)),
          subnetNames: distinctTexts(at(vnet, VM.subnetNames)),
        }
      : known
        ? null
        : undefined,
    inputEndpoints: endpoints,
    extensions,
    bootDiagnosticsEnabled: bool(at(p, VM.bootDiagnosticsEnabled)) === true,
    bootDiagnosticsAccount: accountOfBlobUri(text(at(p, VM.serialOutputBlobUri))),
    roleStatus: text(at(p, VM.roleStatus)),
    guestAgentStatus: text(at(p, VM.guestAgentStatus)),
    disks: known ? disks : undefined,
  };
}

const row = (raw: Record<string, unknown>): ResourceRow => {
  const parsed = toResourceRow(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.row;
};

// Random shapes: mostly what a field expects, sometimes any JSON (arrays where objects go, strings, null, blanks).
const leaf = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('', '  ', 'Ready', 'True', 'false', 'x/y', 'VMSnapshot', 'Premium-LRS'),
  fc.constantFrom(
    'https://acct.blob.core.windows.net/vhds/os.vhd',
    'https://ACCT.blob.core.windows.net/vhds/a%2Fb.vhd',
    'not a uri',
  ),
  fc.boolean(),
  fc.constant(null),
);
const maybe = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: arb, weight: 5 }, { arbitrary: leaf, weight: 1 });
const some = (arb: fc.Arbitrary<unknown>) => maybe(fc.array(maybe(arb), { maxLength: 4 }));
const partial = (model: Record<string, fc.Arbitrary<unknown>>) =>
  maybe(fc.record(model, { requiredKeys: [] }));
const disk = partial({ storageAccount: partial({ name: leaf }), vhdUri: leaf });
const vmProperties = partial({
  domainName: partial({ id: leaf }),
  hardwareProfile: partial({ availabilitySet: leaf }),
  networkProfile: partial({
    virtualNetwork: partial({ id: leaf, name: leaf, subnetNames: some(leaf) }),
    inputEndpoints: some(
      partial({ endpointName: leaf, endpointAcl: partial({ rules: some(leaf) }) }),
    ),
  }),
  extensions: some(
    partial({ extension: leaf, publisher: leaf, version: leaf, referenceName: leaf }),
  ),
  debugProfile: partial({ bootDiagnosticsEnabled: leaf, serialOutputBlobUri: leaf }),
  instanceView: partial({ status: leaf, guestAgentStatus: partial({ status: leaf }) }),
  storageProfile: partial({ operatingSystemDisk: disk, dataDisks: some(disk) }),
});

describe('classic VM view', () => {
  it('reads random shapes as the PATH table says', () => {
    fc.assert(
      fc.property(fc.option(vmProperties, { nil: undefined }), (properties) => {
        const vm = row({ id: '/subscriptions/s/x/vm', type: CLASSIC_VM, properties });
        const reference = referenceVm(vm);
        expect(classicVm(vm)).toEqual(reference);
        expect(vmCloudServiceId(vm)).toBe(reference.cloudServiceId);
        expect(vmAvailabilitySet(vm)).toBe(reference.availabilitySet);
        expect(vmVirtualNetwork(vm)).toEqual(reference.virtualNetwork);
        expect(vmDisks(vm)).toEqual(reference.disks);
        expect(vmDiskAccountKeys(vm)).toEqual(
          reference.disks?.flatMap((d) => (d.accountKey === undefined ? [] : [d.accountKey])),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every VM of a generated tenant as the PATH table says', () => {
    const tenant = syntheticTenant({ subscriptions: 40, resources: 6_000, seed: 5 });
    let vms = 0;
    for (const raw of tenant.resources) {
      const vm = row(raw as Record<string, unknown>);
      if (vm.type !== CLASSIC_VM) continue;
      vms++;
      expect(classicVm(vm)).toEqual(referenceVm(vm));
    }
    expect(vms).toBeGreaterThan(1000);
  });
});

describe('cloud service view', () => {
  const properties = partial({
    roles: some(partial({ name: leaf, roleType: leaf })),
    virtualNetwork: partial({ id: leaf }),
  });

  it('reads random shapes as the PATH table says', () => {
    fc.assert(
      fc.property(fc.option(properties, { nil: undefined }), (p) => {
        const service = row({ id: '/subscriptions/s/x/cs', type: CLOUD_SERVICE, properties: p });
        expect(cloudService(service)).toEqual(referenceCloudService(service));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every cloud service of a generated tenant as the PATH table says', () => {
    const tenant = syntheticTenant({ subscriptions: 40, resources: 6_000, seed: 5 });
    let services = 0;
    for (const raw of tenant.resources) {
      const service = row(raw as Record<string, unknown>);
      if (service.type !== CLOUD_SERVICE) continue;
      services++;
      expect(cloudService(service)).toEqual(referenceCloudService(service));
    }
    expect(services).toBeGreaterThan(100);
  });
});

describe('the id filter of lookups by resource id', () => {
  // Ids as rows and references spell them: any case, surrounding whitespace (ASCII or not), trailing slashes,
  // non-ASCII letters whose lower case differs in length (İ) or is ASCII (K, the Kelvin sign).
  const piece = fc.constantFrom(
    '/subscriptions/0000-AAAA/resourceGroups/RG/providers/Microsoft.ClassicCompute/virtualMachines/vm-1',
    '/SUBSCRIPTIONS/0000-aaaa/resourcegroups/rg/providers/microsoft.classiccompute/virtualmachines/VM-1',
    'vm-1',
    '/',
    '//',
    ' ',
    '\t',
    '\u00a0',
    '\ufeff',
    'İ',
    '\u212a',
    'Σ',
    'x',
  );
  const anyId = fc.array(fc.oneof(piece, fc.string()), { maxLength: 6 }).map((p) => p.join(''));

  it('hashes a raw id as it hashes its key, whenever it hashes it at all', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const tail = idTail(id);
        if (tail !== -1) expect(keyTail(resourceKey(id))).toBe(tail);
      }),
      { numRuns: 5000 },
    );
  });

  it('finds every row whose key is in the lookup, and no other', () => {
    // The target is often one of the scopes spelled another way (case, surrounding whitespace, a trailing slash).
    const scopesAndTarget = fc.array(anyId, { minLength: 1, maxLength: 8 }).chain((scopes) =>
      fc.tuple(
        fc.constant(scopes),
        fc.oneof(
          anyId,
          fc
            .tuple(
              fc.mixedCase(fc.constantFrom(...scopes)),
              fc.constantFrom('', ' ', '/', ' / '),
              fc.constantFrom('', '  ', '\n'),
            )
            .map(([scope, after, before]) => `${before}${scope}${after}`),
        ),
      ),
    );
    let hits = 0;
    fc.assert(
      fc.property(scopesAndTarget, ([scopes, id]) => {
        const assignments = scopes.map((scope, i) =>
          row({
            id: `/subscriptions/s/providers/microsoft.authorization/roleassignments/a${i}`,
            type: 'microsoft.authorization/roleassignments',
            properties: { scope },
          }),
        );
        const target = row({ id: id.length === 0 ? 'x' : id, type: CLASSIC_VM });
        const scopeOf = (a: ResourceRow) => String((a.properties as { scope: string }).scope);
        const byScope = idLookup(
          'test',
          ['microsoft.authorization/roleassignments'],
          (a, add: (id: string, a: ResourceRow) => void) => add(scopeOf(a), a),
        )(buildScanIndex(assignments));
        const expected = assignments.filter(
          (a) => resourceKey(scopeOf(a)) === resourceKey(target.id),
        );
        if (expected.length > 0) hits++;
        expect(itemsOfRow(byScope, target)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    expect(hits).toBeGreaterThan(200);
  });
});
