import { describe, it } from 'vitest';
import rule, { MANY_VMS_THRESHOLD } from '../../../src/rules/classic/vnet-many-vms.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { inVnet, shouting, vm, vnet } from '../fixtures.js';

/** `n` VMs in a VNet, named `vm-<vnet>-<i>`; every other one refers to the VNet by name only. */
function vmsIn(
  vnetName: string,
  n: number,
  byNameOnly = false,
): Record<string, Record<string, unknown>> {
  const rows: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < n; i++) {
    const name = `vm-${vnetName}-${i}`;
    rows[name] = vm(
      name,
      byNameOnly && i % 2 === 0 ? inVnet(vnetName, ['default'], null) : inVnet(vnetName),
    );
  }
  return rows;
}

describe('classic/vnet-many-vms', () => {
  it(`fails exactly the VNets with more than ${MANY_VMS_THRESHOLD} classic VMs`, () => {
    const vms = {
      ...vmsIn('vnet-A', MANY_VMS_THRESHOLD + 1),
      ...vmsIn('vnet-B', MANY_VMS_THRESHOLD),
      ...vmsIn('vnet-C', MANY_VMS_THRESHOLD + 1, true),
    };
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'vnet-B': vnet('vnet-B'),
        'vnet-C': shouting(vnet('vnet-C')),
        'vnet-D': vnet('vnet-D'),
        ...vms,
      },
      fail: ['vnet-A', 'vnet-C'],
      pass: ['vnet-B', 'vnet-D'],
      notApplicable: Object.keys(vms),
      messages: { 'vnet-A': `${MANY_VMS_THRESHOLD + 1} classic VMs` },
    });
  });
});
