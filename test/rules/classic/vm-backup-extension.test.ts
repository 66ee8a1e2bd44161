import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-backup-extension.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { ext, shouting, storage, vm, withExtensions } from '../fixtures.js';

describe('classic/vm-backup-extension', () => {
  it('fails exactly the VMs with VMSnapshot or VMSnapshotLinux', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', withExtensions(ext('VMSnapshot', 'Microsoft.Azure.RecoveryServices'))),
        'vm-B': vm(
          'vm-B',
          withExtensions(ext('vmsnapshotlinux', 'Microsoft.Azure.RecoveryServices')),
        ),
        'vm-C': vm('vm-C', withExtensions(ext('VMSnapshotX', 'Microsoft.Azure.RecoveryServices'))),
        'vm-D': vm('vm-D', withExtensions(ext('IaaSDiagnostics', 'Microsoft.Azure.Diagnostics'))),
        'vm-E': vm(
          'vm-E',
          withExtensions({
            referenceName: 'VMSnapshot',
            publisher: 'Microsoft.Azure.RecoveryServices',
          }),
        ),
        'vm-F': vm('vm-F', { extensions: null }),
        'vm-G': shouting(vm('vm-G', withExtensions(ext(' VMSnapshot ', 'x')))),
        'vm-H': vm('vm-H', { extensions: { extension: 'VMSnapshot' } }),
        'sa-A': storage('saa'),
      },
      fail: ['vm-A', 'vm-B', 'vm-G'],
      pass: ['vm-C', 'vm-D', 'vm-E', 'vm-F', 'vm-H'],
      notApplicable: ['sa-A'],
      messages: { 'vm-A': 'VMSnapshot', 'vm-B': 'vmsnapshotlinux' },
    });
  });
});
