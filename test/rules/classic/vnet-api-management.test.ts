import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-api-management.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { armId, shouting, T, vnet, vnetId } from '../fixtures.js';

const apim = (name: string, virtualNetworkConfiguration: unknown) =>
  row(T.apim, armId('Microsoft.ApiManagement', 'service', name), { virtualNetworkConfiguration });

describe('classic/vnet-api-management', () => {
  it('fails exactly the classic VNets an API Management service points into', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'apim-A': apim('apim-A', { subnetResourceId: `${vnetId('vnet-A')}/subnets/apim` }),
        'vnet-B': vnet('vnet-B'),
        'apim-B': apim('apim-B', { vnetid: vnetId('vnet-B') }),
        'vnet-C': vnet('vnet-C'),
        'apim-C': apim('apim-C', {
          vnetid: '00000000-0000-0000-0000-000000000000',
          subnetResourceId: `${armId('Microsoft.Network', 'virtualNetworks', 'vnet-C')}/subnets/apim`,
        }),
        'vnet-D': vnet('vnet-D'),
        'apim-D': apim('apim-D', null),
        'vnet-E': shouting(vnet('vnet-E')),
        'apim-E': apim('apim-E', {
          subnetResourceId: `${vnetId('vnet-E').toUpperCase()}/SUBNETS/APIM`,
        }),
        'vnet-F': vnet('vnet-F'),
        'apim-F': apim('apim-F', 'vnet-F'),
      },
      fail: ['vnet-A', 'vnet-B', 'vnet-E'],
      pass: ['vnet-C', 'vnet-D', 'vnet-F'],
      notApplicable: ['apim-A', 'apim-B', 'apim-C', 'apim-D', 'apim-E', 'apim-F'],
      messages: { 'vnet-A': 'apim-A', 'vnet-B': 'apim-B' },
    });
  });
});
