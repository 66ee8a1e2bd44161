import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-multiple-subnets.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { inVnet, shouting, storage, vm } from '../fixtures.js';

describe('classic/vm-multiple-subnets', () => {
  it('fails exactly the VMs that reference more than one distinct subnet', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', inVnet('vnet-A', ['web', 'data'])),
        'vm-B': vm('vm-B', inVnet('vnet-A', ['web'])),
        'vm-C': vm('vm-C', inVnet('vnet-A', ['web', 'WEB'])),
        'vm-D': vm('vm-D', {}),
        'vm-E': vm('vm-E', inVnet('vnet-A', 'web,data')),
        'vm-F': shouting(vm('vm-F', inVnet('vnet-B', ['a', 'b', 'c']))),
        'vm-G': vm('vm-G', { networkProfile: { virtualNetwork: null } }),
        'vm-H': vm('vm-H', null),
        'vm-I': vm('vm-I', inVnet('vnet-A', ['a', '', 42, null, 'b'])),
        'vm-J': vm('vm-J', inVnet('vnet-A', [])),
        'sa-A': storage('saa'),
      },
      fail: ['vm-A', 'vm-F', 'vm-I'],
      pass: ['vm-B', 'vm-C', 'vm-E', 'vm-J'],
      notApplicable: ['vm-D', 'vm-G', 'vm-H', 'sa-A'],
      messages: { 'vm-A': 'web and data', 'vm-F': 'vnet-B', 'vm-I': '2 subnets' },
    });
  });
});
