import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-hdinsight.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { armId, shouting, T, vnet, vnetId } from '../fixtures.js';

const cluster = (name: string, roles: unknown) =>
  row(T.hdinsight, armId('Microsoft.HDInsight', 'clusters', name), { computeProfile: { roles } });
const role = (id: unknown) => ({
  name: 'workernode',
  virtualNetworkProfile: { id, subnet: 'default' },
});

describe('classic/vnet-hdinsight', () => {
  it('fails exactly the classic VNets an HDInsight cluster role runs in', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'hdi-A': cluster('hdi-A', [role(vnetId('vnet-A')), role(vnetId('vnet-A'))]),
        'vnet-B': vnet('vnet-B'),
        'hdi-B': cluster('hdi-B', 'headnode'),
        'vnet-C': shouting(vnet('vnet-C')),
        'hdi-C': cluster('hdi-C', [
          { name: 'headnode', virtualNetworkProfile: null },
          role(vnetId('vnet-C').toUpperCase()),
        ]),
        'vnet-D': vnet('vnet-D'),
        'hdi-D': cluster('hdi-D', [
          role(armId('Microsoft.Network', 'virtualNetworks', 'vnet-D')),
          role(42),
        ]),
        'hdi-E': row(T.hdinsight, armId('Microsoft.HDInsight', 'clusters', 'hdi-E'), null),
      },
      fail: ['vnet-A', 'vnet-C'],
      pass: ['vnet-B', 'vnet-D'],
      notApplicable: ['hdi-A', 'hdi-B', 'hdi-C', 'hdi-D', 'hdi-E'],
      messages: { 'vnet-A': 'cluster(s) hdi-A run', 'vnet-C': 'hdi-C' },
    });
  });
});
