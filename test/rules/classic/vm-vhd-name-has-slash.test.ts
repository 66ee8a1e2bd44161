import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-vhd-name-has-slash.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { shouting, storage, vm } from '../fixtures.js';

const blob = (path: string) => `https://sa.blob.core.windows.net/${path}`;
const disks = (os: unknown, data: unknown = []) => ({
  storageProfile: { operatingSystemDisk: { vhdUri: os }, dataDisks: data },
});

describe('classic/vm-vhd-name-has-slash', () => {
  it('fails exactly the VMs with an OS or data disk blob name containing "/"', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', disks(blob('vhds/folder/os.vhd'))),
        'vm-B': vm('vm-B', disks(blob('vhds/os.vhd'), [{ vhdUri: blob('vhds/data0.vhd') }])),
        'vm-C': vm('vm-C', disks(blob('vhds/os.vhd'), [{ vhdUri: blob('vhds/a/b/data1.vhd') }])),
        'vm-D': vm('vm-D', {}),
        'vm-E': vm('vm-E', disks(42, 'vhds/a/b.vhd')),
        'vm-F': vm('vm-F', disks(blob('vhds/dir%2Fos.vhd'))),
        'vm-G': vm('vm-G', disks(blob('os.vhd'))),
        'vm-H': vm('vm-H', disks('not a uri/x/y.vhd')),
        'vm-I': shouting(
          vm('vm-I', disks('https://SA.blob.core.windows.net/VHDS/os.vhd?sv=2020/x&sr=b')),
        ),
        'vm-J': vm('vm-J', disks(null, [null, 'x', { vhdUri: null }])),
        'sa-A': storage('sa'),
      },
      fail: ['vm-A', 'vm-C', 'vm-F'],
      pass: ['vm-B', 'vm-D', 'vm-E', 'vm-G', 'vm-H', 'vm-I', 'vm-J'],
      notApplicable: ['sa-A'],
      messages: {
        'vm-A': 'OS disk blob "folder/os.vhd"',
        'vm-C': 'data disk blob "a/b/data1.vhd"',
        'vm-F': 'dir/os.vhd',
      },
    });
  });
});
