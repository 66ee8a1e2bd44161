import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-site-recovery-extension.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { ext, shouting, storage, vm, withExtensions } from '../fixtures.js';

describe('classic/vm-site-recovery-extension', () => {
  it('fails exactly the VMs with an extension whose publisher or name contains SiteRecovery', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm(
          'vm-A',
          withExtensions(ext('LinuxAgent', 'Microsoft.Azure.RecoveryServices.SiteRecovery')),
        ),
        'vm-B': vm('vm-B', withExtensions(ext('SiteRecoveryMobility', 'Contoso'))),
        'vm-C': shouting(
          vm('vm-C', withExtensions(ext('agent', 'microsoft.azure.recoveryservices.siterecovery'))),
        ),
        'vm-D': vm('vm-D', withExtensions(ext('VMSnapshot', 'Microsoft.Azure.RecoveryServices'))),
        'vm-E': vm('vm-E', {}),
        'vm-F': vm('vm-F', { extensions: [{ extension: 42, publisher: ['SiteRecovery'] }] }),
        'sa-A': storage('saa'),
      },
      fail: ['vm-A', 'vm-B', 'vm-C'],
      pass: ['vm-D', 'vm-E', 'vm-F'],
      notApplicable: ['sa-A'],
      messages: { 'vm-A': 'LinuxAgent', 'vm-B': 'SiteRecoveryMobility' },
    });
  });
});
