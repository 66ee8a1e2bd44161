import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-outside-vnet.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { inVnet, shouting, vm, vnet } from '../fixtures.js';

describe('classic/vm-outside-vnet', () => {
  it('fails exactly the VMs in no virtual network', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', {}),
        'vm-B': vm('vm-B', inVnet('vnet-A')),
        'vm-C': vm('vm-C', { networkProfile: { virtualNetwork: null } }),
        'vm-D': vm('vm-D', null),
        'vm-E': vm('vm-E', { networkProfile: { virtualNetwork: {} } }),
        'vm-F': vm('vm-F', { networkProfile: { virtualNetwork: 'vnet-A' } }),
        'vm-G': shouting(vm('vm-G', inVnet('vnet-A', []))),
        'vm-H': vm('vm-H', { networkProfile: { virtualNetwork: [] } }),
        'vnet-A': vnet('vnet-A'),
      },
      // Present properties that name no VNet mean none (rules.md); no properties at all mean unknown.
      fail: ['vm-A', 'vm-C', 'vm-F', 'vm-H'],
      pass: ['vm-B', 'vm-E', 'vm-G'],
      notApplicable: ['vnet-A', 'vm-D'],
      messages: { 'vm-A': 'no virtual network' },
    });
  });
});
