import { describe, expect, it } from 'vitest';
import rule from '../../../src/rules/classic/rbac-on-classic-resource.js';
import { expectVerdicts, row, SUB, verdictOf } from '../../support/rule-tester.js';
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

/** A role definition row as Resource Graph's authorizationresources returns it (learn.microsoft.com, role-definitions). */
const definition = (guid: string, roleName: string, type = 'BuiltInRole', sub = SUB) =>
  row(
    'microsoft.authorization/roledefinitions',
    `/subscriptions/${sub}/providers/Microsoft.Authorization/RoleDefinitions/${guid}`,
    { roleName, type, description: '', assignableScopes: ['/'], permissions: [] },
  );
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CUSTOM = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';

describe('classic/rbac-on-classic-resource', () => {
  it('names the role from the role definitions of the scan, and falls back to its GUID', () => {
    const withRole = (guid: string) => ({
      ...scoped(vmId('vm-A')),
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    });
    const rows = {
      'vm-A': vm('vm-A', {}),
      'ra-reader': assignment(scoped(vmId('vm-A'))),
      'ra-custom': assignment({ ...withRole(CUSTOM.toUpperCase()), principalType: 'Group' }),
      'ra-unknown': assignment(withRole('00000000-0000-0000-0000-0000000000ff')),
      'rd-reader': definition(READER, 'Reader'),
      'rd-custom': definition(CUSTOM, 'Contoso Legacy Operator', 'CustomRole'),
    };
    const outcome = verdictOf(rule, rows, 'vm-A');
    expect(outcome.kind).toBe('fail');
    const message = outcome.kind === 'fail' ? outcome.message : '';
    expect(message).toContain('User p-1 as Reader');
    expect(message).toContain('Group p-1 as Contoso Legacy Operator');
    expect(message).toContain('User p-1 as role 00000000-0000-0000-0000-0000000000ff');
    expect(message).not.toContain(READER);
  });

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
          '1 role assignment scoped to this resource (User p-1 as role acdd72a7-3385-48ef-bd42-f606fba81ae7)',
        'nsg-B': 'unknown principal as unknown role',
      },
    });
  });
});
