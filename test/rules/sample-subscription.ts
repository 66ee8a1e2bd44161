// A realistic classic subscription (and tenant-wide reference rows) in which every migration rule fires.
import { MANY_VMS_THRESHOLD } from '../../src/rules/classic/vnet-many-vms.js';
import { row, SUB } from '../support/rule-tester.js';
import {
  armId,
  cloudService,
  csId,
  elsewhere,
  ext,
  inVnet,
  OTHER_SUB,
  ripId,
  storage,
  T,
  vm,
  vmId,
  vnet,
  vnetId,
} from './fixtures.js';

const blob = (account: string, path: string) => `https://${account}.blob.core.windows.net/${path}`;

/** A subscription "contoso-classic": a 3-tier IaaS app, a PaaS cloud service, storage and network leftovers. */
export function subscription(): Record<string, unknown>[] {
  const app = (name: string, props: Record<string, unknown>) =>
    vm(name, { domainName: { id: csId('cs-app') }, ...inVnet('vnet-app', ['app']), ...props });
  const rows: Record<string, unknown>[] = [
    vnet('vnet-app'),
    vnet('vnet-big'),
    cloudService('cs-app', { roles: [{ name: 'web-1', roleType: 'PersistentVMRole' }] }),
    cloudService('cs-paas', {
      roles: [{ name: 'frontend', roleType: 'WebRole' }],
      virtualNetwork: { id: vnetId('vnet-app') },
    }),
    cloudService('cs-mixed', {}),
    app('vm-web-1', {
      hardwareProfile: { availabilitySet: 'as-web' },
      networkProfile: {
        virtualNetwork: {
          id: vnetId('vnet-app'),
          name: 'vnet-app',
          subnetNames: ['web', 'backend'],
        },
        inputEndpoints: [
          { endpointName: 'HTTPS', publicPort: 443, endpointAcl: { rules: [{ order: 1 }] } },
        ],
      },
      extensions: [
        ext('BGInfo', 'Microsoft.Compute', '1.*'),
        ext('Monitoring', 'Microsoft.Azure.Security.Monitoring'),
        ext('VMSnapshot', 'Microsoft.Azure.RecoveryServices'),
        ext('Mobility', 'Microsoft.Azure.RecoveryServices.SiteRecovery'),
      ],
      instanceView: { status: 'RoleStateUnknown', guestAgentStatus: { status: 'NotReady' } },
      debugProfile: {
        bootDiagnosticsEnabled: true,
        serialOutputBlobUri: blob('sapremium', 'bootdiag/web-1.log'),
      },
      storageProfile: {
        operatingSystemDisk: {
          storageAccount: { name: 'sadisks' },
          vhdUri: blob('sadisks', 'vhds/web/os.vhd'),
        },
      },
    }),
    app('vm-web-2', { hardwareProfile: { availabilitySet: 'as-db' } }),
    app('vm-web-3', {
      hardwareProfile: { availabilitySet: 'AS-WEB' },
      networkProfile: {
        virtualNetwork: { id: vnetId('vnet-app'), name: 'vnet-app', subnetNames: [] },
      },
    }),
    vm('vm-mixed-1', {
      domainName: { id: csId('cs-mixed') },
      hardwareProfile: { availabilitySet: 'as-1' },
    }),
    vm('vm-mixed-2', { domainName: { id: csId('cs-mixed') } }),
    storage('sapremium', { accountType: 'Premium-LRS' }),
    storage('sadisks', { accountType: 'Standard-GRS' }),
    storage('saarchive', { accountType: 'Standard-LRS' }),
    row(T.reservedIp, ripId('rip-spare'), { inUse: false }),
    row(T.nsg, classicIdNsg('nsg-app'), {}),
    row(
      'microsoft.web/serverfarms',
      armId('Microsoft.Web', 'serverFarms', 'plan-func'),
      {},
      {
        sku: { tier: 'Dynamic' },
        kind: 'functionapp,linux',
      },
    ),
    row(
      'microsoft.compute/cloudservices',
      armId('Microsoft.Compute', 'cloudServices', 'cses-1'),
      {},
    ),
  ];
  for (let i = 0; i <= MANY_VMS_THRESHOLD; i++) {
    rows.push(
      vm(`vm-big-${i}`, inVnet('vnet-big', ['default'], i % 2 === 0 ? null : vnetId('vnet-big'))),
    );
  }
  return rows;
}

function classicIdNsg(name: string): string {
  return `/subscriptions/${SUB}/resourceGroups/rg-classic/providers/Microsoft.ClassicNetwork/networkSecurityGroups/${name}`;
}

/** Tenant-wide reference rows (other subscriptions too): they point into the subscription above. */
export function references(): Record<string, unknown>[] {
  return [
    elsewhere(
      row(T.ase, armId('Microsoft.Web', 'hostingEnvironments', 'ase-1', OTHER_SUB), {
        virtualNetwork: { id: vnetId('vnet-app') },
      }),
    ),
    row(T.hdinsight, armId('Microsoft.HDInsight', 'clusters', 'hdi-1'), {
      computeProfile: {
        roles: [{ name: 'workernode', virtualNetworkProfile: { id: vnetId('vnet-app') } }],
      },
    }),
    row(T.apim, armId('Microsoft.ApiManagement', 'service', 'apim-1'), {
      virtualNetworkConfiguration: { subnetResourceId: `${vnetId('vnet-app')}/subnets/apim` },
    }),
    elsewhere(
      row(T.armVnet, armId('Microsoft.Network', 'virtualNetworks', 'hub', OTHER_SUB), {
        virtualNetworkPeerings: [
          { name: 'hub-to-app', properties: { remoteVirtualNetwork: { id: vnetId('vnet-app') } } },
        ],
      }),
    ),
    row(T.alertRule, armId('Microsoft.Insights', 'alertRules', 'cpu-high'), {
      condition: { dataSource: { resourceUri: vmId('vm-web-1') } },
    }),
    row(T.autoscale, armId('Microsoft.Insights', 'autoscaleSettings', 'scale-paas'), {
      targetResourceUri: csId('cs-paas'),
    }),
    row(
      T.roleAssignment,
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/ra-1`,
      {
        scope: vmId('vm-web-2'),
        principalId: 'p-1',
        roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/r-1',
      },
    ),
  ];
}
