// The shared readers of src/rules/views: hand-written URI parsing, id keys, safe field access, message lists.
import { describe, expect, it } from 'vitest';
import { toResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { accountOfBlobUri, blobNameOfUri, classicVm } from '../../src/rules/views/classic-vm.js';
import { classicVmIndex } from '../../src/rules/views/classic-vm-index.js';
import { classicVnetKey, keyOfRow, resourceKey } from '../../src/rules/views/ids.js';
import { listNames } from '../../src/rules/views/listing.js';
import { at, compilePaths, distinctTexts, matching, text } from '../../src/rules/views/values.js';
import { SUB } from '../support/rule-tester.js';
import { csId, inVnet, vm, vnetId } from './fixtures.js';

const parse = (raw: Record<string, unknown>) => {
  const r = toResourceRow(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.row;
};

describe('blob URIs', () => {
  it.each([
    ['https://acct.blob.core.windows.net/vhds/os.vhd', 'acct', 'os.vhd'],
    ['https://ACCT.blob.core.windows.net/vhds/a/b/os.vhd', 'acct', 'a/b/os.vhd'],
    ['http://acct.blob.core.windows.net/vhds/dir%2Fos.vhd', 'acct', 'dir/os.vhd'],
    ['https://acct.blob.core.windows.net/vhds/bad%E0%A4%A.vhd', 'acct', 'bad%E0%A4%A.vhd'],
    ['  https://acct.blob.core.windows.net/vhds/os.vhd?sv=2020/x#y  ', 'acct', 'os.vhd'],
    ['https://acct.blob.core.windows.net:443/vhds/os.vhd', 'acct', 'os.vhd'],
    ['https://acct.blob.core.windows.net/os.vhd', 'acct', undefined],
    ['https://acct.blob.core.windows.net/vhds/', 'acct', undefined],
    ['https://acct', 'acct', undefined],
    ['https://acct?x=/a/b', 'acct', undefined],
    ['acct.blob.core.windows.net/vhds/a/b.vhd', undefined, undefined],
    ['://acct/vhds/a/b', undefined, undefined],
    ['1http://acct/vhds/a/b', undefined, undefined],
    ['not a url', undefined, undefined],
    ['', undefined, undefined],
    [undefined, undefined, undefined],
  ])('%j → account %j, blob %j', (uri, account, blob) => {
    expect(accountOfBlobUri(uri)).toBe(account);
    expect(blobNameOfUri(uri)).toBe(blob);
  });
});

describe('id keys', () => {
  it('normalises resource ids: case, surrounding spaces, trailing slash', () => {
    expect(resourceKey(' /Subscriptions/X/ResourceGroups/RG/ ')).toBe(
      '/subscriptions/x/resourcegroups/rg',
    );
  });

  it('finds the classic VNet an id is or points into', () => {
    const id = vnetId('VNet-A');
    const key = id.toLowerCase();
    expect(classicVnetKey(id)).toBe(key);
    expect(classicVnetKey(`${id}/`)).toBe(key);
    expect(classicVnetKey(`${id.toUpperCase()}/subnets/web`)).toBe(key);
    expect(
      classicVnetKey('/subscriptions/x/providers/Microsoft.Network/virtualNetworks/vnet-a'),
    ).toBeUndefined();
    expect(classicVnetKey('/providers/microsoft.classicnetwork/virtualnetworks/')).toBeUndefined();
    expect(
      classicVnetKey('/providers/microsoft.classicnetwork/virtualnetworks//x'),
    ).toBeUndefined();
    expect(classicVnetKey(null)).toBeUndefined();
  });

  it('caches the key of the last row only by identity', () => {
    const a = parse(vm('vm-A', {}));
    const b = parse(vm('VM-B', {}));
    expect(keyOfRow(a)).toBe(resourceKey(a.id));
    expect(keyOfRow(b)).toBe(resourceKey(b.id));
    expect(keyOfRow(a)).toBe(resourceKey(a.id));
  });
});

describe('safe field access', () => {
  const P = compilePaths({ deep: 'a.b.c' });

  it('reads through objects only, never arrays or primitives', () => {
    expect(at({ a: { b: { c: 1 } } }, P.deep)).toBe(1);
    expect(at({ a: [{ b: { c: 1 } }] }, P.deep)).toBeUndefined();
    expect(at({ a: 'b' }, P.deep)).toBeUndefined();
    expect(at(null, 'a')).toBeUndefined();
    expect(at(JSON.parse('{"__proto__": {"x": 1}}'), 'x')).toBeUndefined();
  });

  it('refuses paths through Object.prototype members', () => {
    expect(() => compilePaths({ bad: 'a.constructor' })).toThrow(/reserved step/);
  });

  it('treats blank strings as absent', () => {
    expect(text('x')).toBe('x');
    expect(text(' x')).toBe(' x');
    expect(text('   ')).toBeUndefined();
    expect(text('\u00a0')).toBeUndefined();
    expect(text('')).toBeUndefined();
    expect(text(1)).toBeUndefined();
  });

  it('dedupes texts case-insensitively and filters without allocating when nothing matches', () => {
    expect(distinctTexts(['a', 'A', '', 1, 'b'])).toEqual(['a', 'b']);
    expect(distinctTexts(['only'])).toEqual(['only']);
    expect(distinctTexts('a')).toEqual([]);
    const none = matching([1, 2], (n) => n > 5);
    expect(none).toEqual([]);
    expect(matching([1, 2], (n) => n > 5)).toBe(none);
    expect(matching([1, 7, 2, 9], (n) => n > 5)).toEqual([7, 9]);
  });
});

describe('classic VM readers', () => {
  const row = parse(
    vm('vm-A', {
      domainName: { id: csId('cs-A') },
      ...inVnet('vnet-A', ['web', 'WEB', 'data']),
      storageProfile: {
        operatingSystemDisk: {
          storageAccount: { name: 'SaOs' },
          vhdUri: 'https://other.blob.core.windows.net/v/os.vhd',
        },
        dataDisks: [
          { vhdUri: 'https://sadata.blob.core.windows.net/v/d.vhd' },
          { storageAccount: { name: 'saos' } },
          'x',
        ],
      },
    }),
  );

  it('reads disks: explicit account first, else the vhdUri host; keys lower-cased', () => {
    expect(classicVm(row).disks?.map((d) => [d.role, d.account, d.accountKey])).toEqual([
      ['os', 'SaOs', 'saos'],
      ['data', 'sadata', 'sadata'],
      ['data', 'saos', 'saos'],
    ]);
    expect(classicVm(row).virtualNetwork?.subnetNames).toEqual(['web', 'data']);
  });

  it('indexes VMs by cloud service, VNet and disk account in one pass, each VM once per account', () => {
    const byName = parse(vm('vm-B', inVnet('vnet-B', ['x'], null)));
    const idx = classicVmIndex(buildScanIndex([row, byName]));
    expect(idx.byCloudService.get(resourceKey(csId('cs-A')))).toEqual([row]);
    expect(idx.byVnetId.get(vnetId('vnet-A').toLowerCase())).toEqual([row]);
    expect(idx.byVnetName.get(`${SUB}|vnet-b`)).toEqual([byName]);
    expect(idx.byDiskAccount.get('saos')).toEqual([row]);
    expect(idx.byDiskAccount.get('sadata')).toEqual([row]);
  });
});

describe('message lists', () => {
  it('spells out a few names and counts the rest', () => {
    expect(listNames([])).toBe('(none)');
    expect(listNames(['a'])).toBe('a');
    expect(listNames(['a', 'b'])).toBe('a and b');
    expect(listNames(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
  });
});
