import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/rbac-on-classic-resource.js';
import { expectVerdicts, row, SUB } from '../../support/rule-tester.js';
import {
  armId,
  cloudService,
  csId,
  nsgId,
  ripId,
  shouting,
  storage,
  T,
  vm,
  vmId,
  vnet,
  vnetId,
} from '../fixtures.js';

let n = 0;
const assignment = (properties: unknown) =>
  row(
    T.roleAssignment,
    `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/ra-${++n}`,
    properties,
  );
const scoped = (scope: string) => ({
  scope,
  principalId: 'p-1',
  principalType: 'User',
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
});

describe('classic/rbac-on-classic-resource', () => {
  it('fails exactly the classic resources a role assignment is scoped to', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', {}),
        'ra-1': assignment(scoped(vmId('vm-A'))),
        'vm-B': vm('vm-B', {}),
        'cs-A': shouting(cloudService('cs-A', {})),
        'ra-2': assignment(scoped(csId('cs-A').toLowerCase())),
        'ra-3': assignment(scoped(`/subscriptions/${SUB}`)),
        'vnet-A': vnet('vnet-A'),
        'ra-4': assignment(scoped(`${vnetId('vnet-A')}/`)),
        'sa-A': storage('saa'),
        'rip-A': row(T.reservedIp, ripId('rip-A'), { inUse: true }),
        'nsg-A': row(T.nsg, nsgId('nsg-A'), null),
        'ra-5': assignment({ scope: nsgId('nsg-A') }),
        'nsg-B': row(T.nsg, nsgId('nsg-B'), {}),
        'ra-9': assignment({ scope: nsgId('nsg-B') }),
        'ra-6': assignment(null),
        'ra-7': assignment({ scope: ['not', 'a', 'string'] }),
        'arm-vm-A': row(
          'microsoft.compute/virtualmachines',
          armId('Microsoft.Compute', 'virtualMachines', 'arm-vm-A'),
          {},
        ),
        'ra-8': assignment(scoped(armId('Microsoft.Compute', 'virtualMachines', 'arm-vm-A'))),
      },
      fail: ['vm-A', 'cs-A', 'vnet-A', 'nsg-B'],
      pass: ['vm-B', 'sa-A', 'rip-A'],
      // A row without properties is not decided, even with an assignment on it (unknown is not absent).
      notApplicable: [
        'nsg-A',
        'arm-vm-A',
        ...['ra-1', 'ra-2', 'ra-3', 'ra-4', 'ra-5'],
        ...['ra-6', 'ra-7', 'ra-8', 'ra-9'],
      ],
      messages: {
        'vm-A':
          '1 role assignment scoped to this resource (User p-1 as acdd72a7-3385-48ef-bd42-f606fba81ae7)',
        'nsg-B': 'unknown principal as unknown role',
      },
    });
  });
});
