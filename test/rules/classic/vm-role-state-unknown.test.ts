import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-role-state-unknown.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, shouting, vm } from '../fixtures.js';

const state = (status: unknown) => ({ instanceView: { status } });

describe('classic/vm-role-state-unknown', () => {
  it('fails exactly the VMs in RoleStateUnknown', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', state('RoleStateUnknown')),
        'vm-B': vm('vm-B', state('ReadyRole')),
        'vm-C': shouting(vm('vm-C', state('rolestateunknown'))),
        'vm-D': vm('vm-D', {}),
        'vm-E': vm('vm-E', { instanceView: 'RoleStateUnknown' }),
        'vm-F': vm('vm-F', state(42)),
        'vm-G': vm('vm-G', state('StoppedDeallocated')),
        'cs-A': cloudService('cs-A', state('RoleStateUnknown')),
      },
      fail: ['vm-A', 'vm-C'],
      pass: ['vm-B', 'vm-D', 'vm-E', 'vm-F', 'vm-G'],
      notApplicable: ['cs-A'],
      messages: { 'vm-A': 'RoleStateUnknown' },
    });
  });
});
