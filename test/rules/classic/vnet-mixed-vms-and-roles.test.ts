import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-mixed-vms-and-roles.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, elsewhere, inVnet, shouting, vm, vnet, vnetId } from '../fixtures.js';

const paas = (vnetName: string, roles: unknown, id = vnetId(vnetName)) => ({
  roles,
  virtualNetwork: { id },
});
const web = [{ name: 'web', roleType: 'WebRole' }];

describe('classic/vnet-mixed-vms-and-roles', () => {
  it('fails exactly the VNets holding classic VMs and web/worker roles', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'vm-A1': vm('vm-A1', inVnet('vnet-A')),
        'cs-A': cloudService('cs-A', paas('vnet-A', web)),
        'vnet-B': vnet('vnet-B'),
        'vm-B1': vm('vm-B1', inVnet('vnet-B')),
        'cs-B': cloudService(
          'cs-B',
          paas('vnet-B', [{ name: 'vm-B1', roleType: 'PersistentVMRole' }]),
        ),
        'vnet-C': vnet('vnet-C'),
        'cs-C': cloudService('cs-C', paas('vnet-C', [{ name: 'worker', roleType: 'WorkerRole' }])),
        'vnet-D': shouting(vnet('vnet-D')),
        'vm-D1': vm('vm-D1', inVnet('vnet-D', ['default'], null)),
        'cs-D': cloudService(
          'cs-D',
          paas('vnet-D', [{ name: 'w', roleType: 'workerrole' }], vnetId('vnet-D').toUpperCase()),
        ),
        'vnet-E': vnet('vnet-E'),
        'vm-E1': vm('vm-E1', inVnet('vnet-E')),
        'cs-E': cloudService('cs-E', { virtualNetwork: { id: vnetId('vnet-E') } }),
        'vnet-F': vnet('vnet-F'),
        'vm-F1': vm('vm-F1', inVnet('vnet-F')),
        'cs-F': cloudService('cs-F', paas('vnet-F', 'WebRole')),
        'vnet-G': vnet('vnet-G'),
        'vm-G1': elsewhere(vm('vm-G1', inVnet('vnet-G', ['default'], null))),
        'cs-G': cloudService('cs-G', paas('vnet-G', web)),
        'vnet-H': vnet('vnet-H'),
        'vm-H1': vm('vm-H1', inVnet('vnet-H')),
        'cs-H': cloudService('cs-H', { roles: web, virtualNetwork: 'vnet-H' }),
      },
      fail: ['vnet-A', 'vnet-D'],
      pass: ['vnet-B', 'vnet-C', 'vnet-E', 'vnet-F', 'vnet-G', 'vnet-H'],
      notApplicable: [
        ...['vm-A1', 'vm-B1', 'vm-D1', 'vm-E1', 'vm-F1', 'vm-G1', 'vm-H1'],
        ...['cs-A', 'cs-B', 'cs-C', 'cs-D', 'cs-E', 'cs-F', 'cs-G', 'cs-H'],
      ],
      messages: { 'vnet-A': 'cs-A (WebRole web)', 'vnet-D': 'vm-D1' },
    });
  });
});
