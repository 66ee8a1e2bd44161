import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-app-service-environment.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { armId, elsewhere, OTHER_SUB, shouting, T, vnet, vnetId } from '../fixtures.js';

const ase = (name: string, properties: unknown, sub?: string) =>
  row(T.ase, armId('Microsoft.Web', 'hostingEnvironments', name, sub), properties);

describe('classic/vnet-app-service-environment', () => {
  it('fails exactly the classic VNets an App Service Environment is deployed in', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'ase-A': ase('ase-A', { virtualNetwork: { id: vnetId('vnet-A') } }),
        'vnet-B': vnet('vnet-B'),
        'ase-B': shouting(ase('ase-B', { virtualNetwork: { id: vnetId('vnet-B').toUpperCase() } })),
        'vnet-C': vnet('vnet-C'),
        'ase-C': ase('ase-C', {
          virtualNetwork: { id: armId('Microsoft.Network', 'virtualNetworks', 'vnet-C') },
        }),
        'vnet-D': vnet('vnet-D'),
        'ase-D': ase('ase-D', null),
        'vnet-E': vnet('vnet-E'),
        'ase-E': ase('ase-E', { virtualNetwork: 'vnet-E' }),
        'vnet-F': vnet('vnet-F'),
        'ase-F': elsewhere(ase('ase-F', { virtualNetwork: { id: vnetId('vnet-F') } }, OTHER_SUB)),
      },
      fail: ['vnet-A', 'vnet-B', 'vnet-F'],
      pass: ['vnet-C', 'vnet-D', 'vnet-E'],
      notApplicable: ['ase-A', 'ase-B', 'ase-C', 'ase-D', 'ase-E', 'ase-F'],
      messages: { 'vnet-A': 'ase-A', 'vnet-F': `ase-F (subscription ${OTHER_SUB})` },
    });
  });
});
