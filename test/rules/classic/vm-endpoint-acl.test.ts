import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-endpoint-acl.js';
import { classicId, expectVerdicts, row } from '../../support/rule-tester.js';

const VM = 'microsoft.classiccompute/virtualmachines';
const vmId = (name: string) => classicId('Microsoft.ClassicCompute', 'virtualMachines', name);
const endpoint = (name: string, rules?: unknown) => ({
  endpointName: name,
  publicPort: 3389,
  privatePort: 3389,
  protocol: 'tcp',
  ...(rules === undefined ? {} : { endpointAcl: { rules } }),
});

describe('classic/vm-endpoint-acl', () => {
  it('fails exactly the VMs with ACL rules on an endpoint', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': row(VM, vmId('vm-A'), {
          networkProfile: {
            inputEndpoints: [
              endpoint('RDP', [{ order: 100, action: 'permit', remoteSubnet: '10.0.0.0/8' }]),
            ],
          },
        }),
        'vm-B': row(VM, vmId('vm-B'), {
          networkProfile: { inputEndpoints: [endpoint('RDP'), endpoint('HTTP', [{ order: 1 }])] },
        }),
        'vm-C': row(VM, vmId('vm-C'), {
          networkProfile: { inputEndpoints: [endpoint('RDP', [])] },
        }),
        'vm-D': row(VM, vmId('vm-D'), { networkProfile: { inputEndpoints: [] } }),
        'vm-E': row(VM, vmId('vm-E'), null),
        'vm-F': row(VM.toUpperCase(), vmId('VM-F').toUpperCase(), {
          networkProfile: { inputEndpoints: 'not-an-array' },
        }),
        'vm-G': row(VM, vmId('vm-G'), {
          networkProfile: { inputEndpoints: [endpoint('SSH', { rules: 'wrong' })] },
        }),
        'storage-A': row(
          'microsoft.classicstorage/storageaccounts',
          classicId('Microsoft.ClassicStorage', 'storageAccounts', 'sa'),
          {},
        ),
      },
      fail: ['vm-A', 'vm-B'],
      pass: ['vm-C', 'vm-D', 'vm-F', 'vm-G'],
      notApplicable: ['storage-A', 'vm-E'],
      messages: { 'vm-A': 'RDP', 'vm-B': 'HTTP' },
    });
  });
});
