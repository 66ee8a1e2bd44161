import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-peered.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { armId, elsewhere, OTHER_SUB, shouting, T, vnet, vnetId } from '../fixtures.js';

const armVnet = (name: string, peerings: unknown, sub?: string) =>
  row(T.armVnet, armId('Microsoft.Network', 'virtualNetworks', name, sub), {
    virtualNetworkPeerings: peerings,
  });
const peering = (name: string, remote: unknown) => ({
  name,
  properties: { remoteVirtualNetwork: { id: remote }, peeringState: 'Connected' },
});

describe('classic/vnet-peered', () => {
  it('fails exactly the classic VNets an ARM VNet peers with', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'arm-A': armVnet('arm-A', [peering('to-classic', vnetId('vnet-A'))]),
        'vnet-B': vnet('vnet-B'),
        'arm-B': armVnet('arm-B', [
          peering('to-arm', armId('Microsoft.Network', 'virtualNetworks', 'vnet-B')),
        ]),
        'vnet-C': shouting(vnet('vnet-C')),
        'arm-C': elsewhere(
          armVnet('arm-C', [peering('hub', vnetId('vnet-C').toUpperCase())], OTHER_SUB),
        ),
        'vnet-D': vnet('vnet-D'),
        'arm-D': armVnet('arm-D', 'oops'),
        'arm-E': armVnet('arm-E', [null, { name: 'x', properties: null }, peering('y', 42)]),
      },
      fail: ['vnet-A', 'vnet-C'],
      pass: ['vnet-B', 'vnet-D'],
      notApplicable: ['arm-A', 'arm-B', 'arm-C', 'arm-D', 'arm-E'],
      messages: {
        'vnet-A': 'arm-A (peering to-classic)',
        'vnet-C': `arm-C (subscription ${OTHER_SUB}) (peering hub)`,
      },
    });
  });
});
