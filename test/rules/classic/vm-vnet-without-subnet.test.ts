import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-vnet-without-subnet.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, inVnet, shouting, vm } from '../fixtures.js';

describe('classic/vm-vnet-without-subnet', () => {
  it('fails exactly the VMs in a VNet with no subnet', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', inVnet('vnet-A', [])),
        'vm-B': vm('vm-B', { networkProfile: { virtualNetwork: { name: 'vnet-B' } } }),
        'vm-C': vm('vm-C', inVnet('vnet-A', ['web'])),
        'vm-D': vm('vm-D', { networkProfile: {} }),
        'vm-E': vm('vm-E', inVnet('vnet-A', null)),
        'vm-F': vm('vm-F', inVnet('vnet-A', 'web')),
        'vm-G': vm('vm-G', inVnet('vnet-A', ['', '  '])),
        'vm-H': shouting(vm('vm-H', inVnet('vnet-A', ['x']))),
        'vm-I': vm('vm-I', { networkProfile: { virtualNetwork: 'vnet-A' } }),
        'vm-J': vm('vm-J', undefined),
        'cs-A': cloudService('cs-A', {}),
      },
      fail: ['vm-A', 'vm-B', 'vm-E', 'vm-F', 'vm-G'],
      pass: ['vm-C', 'vm-H'],
      notApplicable: ['vm-D', 'vm-I', 'vm-J', 'cs-A'],
      messages: { 'vm-A': 'vnet-A', 'vm-B': 'vnet-B' },
    });
  });
});
