// Row builders shared by the rule tests: ids and types in the shapes Resource Graph returns.
import { expect, it } from 'vitest';
import type { Rule } from '../../src/rules/define-rule.js';
import { classicId, expectVerdicts, row, SUB } from '../support/rule-tester.js';

export const T = {
  vm: 'microsoft.classiccompute/virtualmachines',
  cloudService: 'microsoft.classiccompute/domainnames',
  vnet: 'microsoft.classicnetwork/virtualnetworks',
  reservedIp: 'microsoft.classicnetwork/reservedips',
  nsg: 'microsoft.classicnetwork/networksecuritygroups',
  storage: 'microsoft.classicstorage/storageaccounts',
  ase: 'microsoft.web/hostingenvironments',
  hdinsight: 'microsoft.hdinsight/clusters',
  apim: 'microsoft.apimanagement/service',
  armVnet: 'microsoft.network/virtualnetworks',
  alertRule: 'microsoft.insights/alertrules',
  autoscale: 'microsoft.insights/autoscalesettings',
  roleAssignment: 'microsoft.authorization/roleassignments',
} as const;

export const OTHER_SUB = '00000000-0000-0000-0000-00000000b002';

export const vmId = (name: string, sub = SUB) =>
  classicId('Microsoft.ClassicCompute', 'virtualMachines', name, 'rg-classic', sub);
export const csId = (name: string) => classicId('Microsoft.ClassicCompute', 'domainNames', name);
export const vnetId = (name: string, sub = SUB) =>
  classicId('Microsoft.ClassicNetwork', 'virtualNetworks', name, 'rg-classic', sub);
export const saId = (name: string) =>
  classicId('Microsoft.ClassicStorage', 'storageAccounts', name);
export const ripId = (name: string) => classicId('Microsoft.ClassicNetwork', 'reservedIps', name);
export const nsgId = (name: string) =>
  classicId('Microsoft.ClassicNetwork', 'networkSecurityGroups', name);
export const armId = (provider: string, kind: string, name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/rg-arm/providers/${provider}/${kind}/${name}`;

/** A row in another subscription (a reference row, as the scan sees tenant-wide rows). */
export function elsewhere(r: Record<string, unknown>): Record<string, unknown> {
  return { ...r, subscriptionId: OTHER_SUB };
}

export const vm = (name: string, properties: unknown, extra: Record<string, unknown> = {}) =>
  row(T.vm, vmId(name), properties, extra);
export const cloudService = (name: string, properties: unknown) =>
  row(T.cloudService, csId(name), properties);
export const vnet = (name: string, properties: unknown = {}) =>
  row(T.vnet, vnetId(name), properties);
export const storage = (name: string, properties: unknown = {}) =>
  row(T.storage, saId(name), properties);

/** `networkProfile.virtualNetwork` of a VM in a classic VNet. */
export function inVnet(
  name: string,
  subnetNames: unknown = ['default'],
  id: string | null = vnetId(name),
) {
  return {
    networkProfile: { virtualNetwork: { ...(id === null ? {} : { id }), name, subnetNames } },
  };
}

export function withExtensions(...extensions: unknown[]) {
  return { extensions };
}

export const ext = (extension: string, publisher: string, version = '1.0') => ({
  extension,
  publisher,
  version,
  state: 'Enable',
  referenceName: extension,
});

/** Upper-cases the type and id of a row (real data mixes case). */
export function shouting(r: Record<string, unknown>): Record<string, unknown> {
  return { ...r, type: String(r.type).toUpperCase(), id: String(r.id).toUpperCase() };
}

/**
 * The cases every *(manual)* rule shares: an info rule that asks for a check by hand once per classic
 * VNet, whatever the VNet's properties, and never on anything else.
 */
export function manualVnetRuleCases(rule: Rule): void {
  it('is a manual info rule', () => {
    expect(rule.manual).toBe(true);
    expect(rule.severity).toBe('info');
  });

  it('asks for a check by hand once per classic VNet, whatever its properties', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'vnet-B': shouting(vnet('vnet-B', null)),
        'vnet-C': vnet('vnet-C', 'not-an-object'),
        'vm-A': vm('vm-A', {}),
        'sa-A': storage('saa'),
      },
      fail: ['vnet-A', 'vnet-B', 'vnet-C'],
      pass: [],
      notApplicable: ['vm-A', 'sa-A'],
      messages: { 'vnet-A': 'Check by hand', 'vnet-B': 'vnet-B' },
    });
  });
}
