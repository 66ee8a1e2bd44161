// The bundled demo tenant (Contoso): every rule of the catalog fires on at least one named resource.
//
// Which resource triggers which rule (subscription: A = classic apps, P = platform, R = render farm, S = sandbox):
//
// | rule                                              | resource (subscription)                                     |
// |---------------------------------------------------|-------------------------------------------------------------|
// | classic/vm-endpoint-acl                           | VM vm-acl (A), endpoint ACL on RemoteDesktop; hostile tags  |
// | classic/vm-multiple-subnets                       | VM vm-twonics (A), subnets FrontEnd + BackEnd               |
// | classic/vm-vnet-without-subnet                    | VM vm-nosubnet (A), in vnet-core-classic, subnetNames []    |
// | classic/vm-boot-diagnostics-premium               | VM vm-bootdiag (A) → classic account contosopremdiag (Premium-LRS) |
// | classic/vm-defender-extension                     | VM vm-defender (A), Microsoft.Azure.Security.Monitoring     |
// | classic/vm-backup-extension                       | VM vm-backup (A), VMSnapshot                                |
// | classic/vm-guest-agent-not-ready                  | VM vm-agentdown (A), agent Unresponsive with extensions     |
// | classic/cloud-service-multiple-availability-sets  | cloud service cs-multi-avset (A): app01 avset-a, app02 avset-b |
// | classic/cloud-service-mixed-availability-sets     | cloud service cs-mixed-avset (A): sql01 avset-sql, sql02 none ('') |
// | classic/vnet-mixed-vms-and-roles                  | VNet vnet-web-classic (A): VM web01 + cloud service cs-frontend (Web/Worker) |
// | classic/vnet-app-service-environment              | VNet vnet-ase-classic (A) ← ASE ase-legacy (P)              |
// | classic/vnet-hdinsight                            | VNet vnet-hdi-classic (A) ← HDInsight hdi-analytics (P)     |
// | classic/vnet-api-management                       | VNet vnet-apim-classic (A) ← API Management apim-partners (P) |
// | classic/vnet-peered                               | VNet vnet-peered-classic (A) ← ARM VNet vnet-hub (P)        |
// | classic/vnet-application-gateway (manual)         | every classic VNet                                          |
// | classic/vnet-dynamics-lcs (manual)                | every classic VNet                                          |
// | classic/vnet-expressroute (manual)                | every classic VNet                                          |
// | classic/vm-vhd-name-has-slash                     | VM vm-slashvhd (A), blob legacy/vm-slashvhd-os.vhd          |
// | classic/vm-role-state-unknown                     | VM vm-unknown (A), RoleStateUnknown; mixed-case type        |
// | classic/vnet-many-vms                             | VNet vnet-render-classic (R), 401 VMs render-001..render-401 |
// | classic/vm-xml-extensions                         | VM vm-bginfo (A) BGInfo 1.1; VM vm-webdeploy (A) WebDeployForVSDevTest |
// | classic/vm-site-recovery-extension                | VM vm-asr (A), Microsoft.Azure.RecoveryServices.SiteRecovery |
// | classic/vm-alerts-or-autoscale                    | VM vm-alerted (A) ← alert rule; cloud service cs-shop (A) ← autoscale |
// | classic/rbac-on-classic-resource                  | VM vm-jumpbox (A); classic storage contosoarchive (A)       |
// | classic/vm-outside-vnet                           | VM vm-nonet (A)                                             |
// | classic/storage-account-has-vm-disks              | contosoappsdisks (A), contosorenderdisks (R)                |
// | classic/storage-account-standalone                | contosoarchive (A, lower-case id), contosopremdiag (A)      |
// | classic/unattached-reserved-ip                    | reserved IP rip-unused (A)                                  |
// | retirement/classic-vm                             | every classic VM (vm-healthy01/02 fire only this one)       |
// | retirement/cloud-services-classic                 | every cloud service (cs-healthy fires only this one)        |
// | retirement/classic-storage                        | every classic storage account                               |
// | retirement/classic-networking                     | classic VNets, rip-web/rip-unused, nsg-web-classic (only this one) |
// | retirement/cloud-services-extended-support        | microsoft.compute/cloudservices cses-orders (S)             |
// | retirement/linux-consumption-plan                 | serverfarm plan-func-linux (S), sku.tier Dynamic, kind functionapp,linux |
import { roleDefinitionRow } from '../emulators/resource-graph/role-definitions.js';
import type { Tenant } from '../emulators/resource-graph/server.js';
import {
  armVnetRow,
  classicNsgRow,
  classicStorageRow,
  classicVmRow,
  classicVnetRow,
  cloudServiceRow,
  CLASSIC_STORAGE,
  CLASSIC_VM,
  CLASSIC_VNET,
  CLOUD_SERVICE,
  reservedIpRow,
  resourceGroupRows,
  resourceId,
  resourceRow,
  roleAssignmentRow,
  type ClassicVmSpec,
  type Extension,
  type Row,
} from './build.js';
import { demoRetirementRows, type RetirementRows } from './retirements.js';

/** The demo subscriptions by role. */
export const DEMO_SUBSCRIPTION = {
  classicApps: '3f2a7c1e-5b8d-4e6a-9f10-2c4d6e8a0b11',
  platform: '8c6d4b2a-1e3f-4a5b-8c7d-9e0f1a2b3c22',
  renderFarm: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f33',
  sandbox: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c44',
} as const;

/** Every demo subscription id. */
export const DEMO_SUBSCRIPTIONS: readonly string[] = Object.freeze(
  Object.values(DEMO_SUBSCRIPTION),
);

/** Management groups: contoso-root → platform (platform subscription), apps (classic apps, render farm). */
export const DEMO_MANAGEMENT_GROUPS = {
  root: 'contoso-root',
  platform: 'platform',
  apps: 'apps',
} as const;

/**
 * The hostile strings of the test fixture subscription (demoTenant({ testFixtures: true })): they must be escaped in
 * reports, e-mails and dashboards. The demo a newcomer sees (`npm start`) carries none of them.
 */
export const HOSTILE_SCRIPT = '<script>alert(1)</script>';
export const HOSTILE_MARKUP = '"quotes" & <b>bold</b>';

/** A subscription only tests add: every name in it hostile, and it says so. */
export const TEST_FIXTURE_SUBSCRIPTION = '7e57f1c5-0000-4000-8000-00000000bad1';

/** What the test fixture subscription holds: a cloud service and a classic VM with an endpoint ACL, names hostile. */
function testFixtures(): { subscription: Tenant['subscriptions'][number]; rows: Row[] } {
  const T = TEST_FIXTURE_SUBSCRIPTION;
  const cs = 'cs-hostile';
  const vm: ClassicVmSpec = {
    subscriptionId: T,
    name: `vm-${HOSTILE_SCRIPT}`,
    cloudService: cs,
    extensions: [BGINFO_2],
    osDisk: { account: 'testfixturedisks', blob: 'vm-hostile-os.vhd' },
    endpoints: [
      {
        endpointName: 'RemoteDesktop',
        publicPort: 3389,
        privatePort: 3389,
        protocol: 'tcp',
        endpointAcl: {
          rules: [
            {
              order: 100,
              action: 'permit',
              remoteSubnet: '203.0.113.0/24',
              description: HOSTILE_MARKUP,
            },
          ],
        },
      },
    ],
    tags: { owner: 'alice@contoso.com', description: HOSTILE_SCRIPT, note: HOSTILE_MARKUP },
  };
  return {
    subscription: {
      subscriptionId: T,
      displayName: `TEST FIXTURE hostile names ${HOSTILE_MARKUP}`,
      tags: { owner: 'sandbox-admins@contoso.com', description: HOSTILE_SCRIPT },
      managementGroups: [DEMO_MANAGEMENT_GROUPS.root],
    },
    rows: [
      classicVmRow(vm),
      cloudServiceRow({
        subscriptionId: T,
        name: cs,
        roles: [{ name: vm.name, roleType: 'PersistentVMRole' }],
        label: `${HOSTILE_SCRIPT} ${HOSTILE_MARKUP}`,
        tags: { contact: HOSTILE_SCRIPT },
      }),
    ],
  };
}

/** Every rule id of rules.md: 28 migration rules and 6 retirement rules. */
export function expectedDemoRuleIds(): string[] {
  return [
    'classic/cloud-service-mixed-availability-sets',
    'classic/cloud-service-multiple-availability-sets',
    'classic/rbac-on-classic-resource',
    'classic/storage-account-has-vm-disks',
    'classic/storage-account-standalone',
    'classic/unattached-reserved-ip',
    'classic/vm-alerts-or-autoscale',
    'classic/vm-backup-extension',
    'classic/vm-boot-diagnostics-premium',
    'classic/vm-defender-extension',
    'classic/vm-endpoint-acl',
    'classic/vm-guest-agent-not-ready',
    'classic/vm-multiple-subnets',
    'classic/vm-outside-vnet',
    'classic/vm-role-state-unknown',
    'classic/vm-site-recovery-extension',
    'classic/vm-vhd-name-has-slash',
    'classic/vm-vnet-without-subnet',
    'classic/vm-xml-extensions',
    'classic/vnet-api-management',
    'classic/vnet-app-service-environment',
    'classic/vnet-application-gateway',
    'classic/vnet-dynamics-lcs',
    'classic/vnet-expressroute',
    'classic/vnet-hdinsight',
    'classic/vnet-many-vms',
    'classic/vnet-mixed-vms-and-roles',
    'classic/vnet-peered',
    'retirement/classic-networking',
    'retirement/classic-storage',
    'retirement/classic-vm',
    'retirement/cloud-services-classic',
    'retirement/cloud-services-extended-support',
    'retirement/linux-consumption-plan',
  ];
}

const A = DEMO_SUBSCRIPTION.classicApps;
const P = DEMO_SUBSCRIPTION.platform;
const R = DEMO_SUBSCRIPTION.renderFarm;
const S = DEMO_SUBSCRIPTION.sandbox;

const NETWORKING_RG = 'Default-Networking';
const STORAGE_RG = 'Default-Storage-WestEurope';

const vnetId = (sub: string, name: string): string =>
  resourceId(sub, NETWORKING_RG, CLASSIC_VNET, name);
const csId = (sub: string, name: string): string => resourceId(sub, name, CLOUD_SERVICE, name);
const vmId = (sub: string, cs: string, name: string): string =>
  resourceId(sub, cs, CLASSIC_VM, name);

const CORE_VNET = { id: vnetId(A, 'vnet-core-classic'), name: 'vnet-core-classic' };
const WEB_VNET = { id: vnetId(A, 'vnet-web-classic'), name: 'vnet-web-classic' };
const RENDER_VNET = { id: vnetId(R, 'vnet-render-classic'), name: 'vnet-render-classic' };

const APPS_DISKS = 'contosoappsdisks';
const RENDER_DISKS = 'contosorenderdisks';

const BGINFO_2: Extension = { extension: 'BGInfo', publisher: 'Microsoft.Compute', version: '2.1' };
const DIAGNOSTICS: Extension = {
  extension: 'IaaSDiagnostics',
  publisher: 'Microsoft.Azure.Diagnostics',
  version: '1.5',
};
const RENDER_VM_COUNT = 401;

/** A VM of the core cloud service in the core VNet, healthy unless `overrides` say otherwise. */
function coreVm(name: string, overrides: Partial<ClassicVmSpec> = {}): ClassicVmSpec {
  return {
    subscriptionId: A,
    name,
    cloudService: 'cs-core',
    virtualNetwork: { ...CORE_VNET, subnetNames: ['default'] },
    extensions: [BGINFO_2],
    osDisk: { account: APPS_DISKS, blob: `${name}-os.vhd` },
    ...overrides,
  };
}

function classicApps(): { rows: Row[]; vms: ClassicVmSpec[] } {
  const vms: ClassicVmSpec[] = [
    coreVm('vm-healthy01', {
      cloudService: 'cs-healthy',
      extensions: [BGINFO_2, DIAGNOSTICS],
      dataDisks: [{ account: APPS_DISKS, blob: 'vm-healthy01-data0.vhd' }],
      tags: { Owner: 'frank@contoso.com' },
    }),
    coreVm('vm-healthy02', {
      cloudService: 'cs-healthy',
      os: 'Linux',
      extensions: [],
      tags: { OWNEREMAIL: 'grace@contoso.com' },
    }),
    coreVm('vm-acl', {
      endpoints: [
        {
          endpointName: 'RemoteDesktop',
          publicPort: 3389,
          privatePort: 3389,
          protocol: 'tcp',
          endpointAcl: {
            rules: [
              {
                order: 100,
                action: 'permit',
                remoteSubnet: '203.0.113.0/24',
                description: 'office',
              },
            ],
          },
        },
        { endpointName: 'HTTPS', publicPort: 443, privatePort: 443, protocol: 'tcp' },
      ],
      tags: {
        owner: 'alice@contoso.com',
        description: 'Line-of-business front end',
        note: 'RDP from the office only',
      },
    }),
    coreVm('vm-twonics', {
      virtualNetwork: { ...CORE_VNET, subnetNames: ['FrontEnd', 'BackEnd'] },
      tags: { OwnerEmail: 'bob@contoso.com;carol@contoso.com' },
    }),
    coreVm('vm-nosubnet', {
      virtualNetwork: { ...CORE_VNET, subnetNames: [] },
      tags: { Owner: 'Platform Team' },
    }),
    coreVm('vm-bootdiag', {
      bootDiagnosticsAccount: 'contosopremdiag',
      tags: { contact: 'dan@contoso.com, erin@contoso.com' },
    }),
    coreVm('vm-defender', {
      extensions: [
        BGINFO_2,
        {
          extension: 'AzureSecurityWindowsAgent',
          publisher: 'Microsoft.Azure.Security.Monitoring',
          version: '1.0',
        },
      ],
    }),
    coreVm('vm-backup', {
      extensions: [
        {
          extension: 'VMSnapshot',
          publisher: 'Microsoft.Azure.RecoveryServices',
          version: '1.0.9',
        },
      ],
      tags: { owner: 'backup-admins@contoso.com ; alice@contoso.com' },
    }),
    coreVm('vm-agentdown', { guestAgentStatus: 'Unresponsive', extensions: [BGINFO_2] }),
    coreVm('vm-slashvhd', { osDisk: { account: APPS_DISKS, blob: 'legacy/vm-slashvhd-os.vhd' } }),
    coreVm('vm-unknown', {
      status: 'RoleStateUnknown',
      // Real data mixes case: this row's type is not lower-cased.
      typeAsStored: 'Microsoft.ClassicCompute/virtualMachines',
      tags: { description: 'Batch host, state unknown since the last maintenance' },
    }),
    coreVm('vm-bginfo', {
      extensions: [{ extension: 'BGInfo', publisher: 'Microsoft.Compute', version: '1.1' }],
    }),
    coreVm('vm-webdeploy', {
      extensions: [
        BGINFO_2,
        {
          extension: 'WebDeployForVSDevTest',
          publisher: 'Microsoft.VisualStudio.WindowsAzure.DevTest',
          version: '1.0',
        },
      ],
    }),
    coreVm('vm-asr', {
      extensions: [
        BGINFO_2,
        {
          extension: 'WindowsAgent',
          publisher: 'Microsoft.Azure.RecoveryServices.SiteRecovery',
          version: '1.0',
        },
      ],
    }),
    coreVm('vm-alerted', { tags: { OwnerEmail: 'henry@contoso.com' } }),
    coreVm('vm-jumpbox', { tags: { owner: 'not-an-email', contact: 'ivan@contoso.com' } }),
    // Availability sets: two distinct sets in one cloud service, and a mix of set / no set.
    coreVm('app01', { cloudService: 'cs-multi-avset', availabilitySet: 'avset-a' }),
    coreVm('app02', { cloudService: 'cs-multi-avset', availabilitySet: 'avset-b' }),
    coreVm('sql01', {
      cloudService: 'cs-mixed-avset',
      availabilitySet: 'avset-sql',
      dataDisks: [{ account: APPS_DISKS, blob: 'sql01-data0.vhd' }],
    }),
    coreVm('sql02', {
      cloudService: 'cs-mixed-avset',
      availabilitySet: '',
      // The reference to the cloud service differs in case from the cloud service's own id.
      cloudServiceId: csId(A, 'cs-mixed-avset').toLowerCase(),
    }),
    coreVm('web01', {
      cloudService: 'cs-web-vms',
      virtualNetwork: { ...WEB_VNET, subnetNames: ['web'] },
      tags: { contact: 'web-team@contoso.com' },
    }),
    coreVm('vm-nonet', { cloudService: 'cs-nonet', virtualNetwork: undefined, extensions: [] }),
  ];

  const vmsOf = (cs: string) =>
    vms
      .filter((v) => v.cloudService === cs)
      .map((v) => ({ name: v.name, roleType: 'PersistentVMRole' as const }));
  const iaasService = (
    name: string,
    vnet?: string,
    extra: Partial<Parameters<typeof cloudServiceRow>[0]> = {},
  ) =>
    cloudServiceRow({
      subscriptionId: A,
      name,
      roles: vmsOf(name),
      virtualNetworkId: vnet,
      ...extra,
    });

  const rows: Row[] = [
    ...vms.map(classicVmRow),
    iaasService('cs-core', CORE_VNET.id, {
      label: 'Core line-of-business apps',
      tags: { owner: 'legacy-apps@contoso.com' },
    }),
    iaasService('cs-healthy', CORE_VNET.id),
    iaasService('cs-multi-avset', CORE_VNET.id),
    iaasService('cs-mixed-avset', CORE_VNET.id),
    iaasService('cs-web-vms', WEB_VNET.id),
    iaasService('cs-nonet'),
    cloudServiceRow({
      subscriptionId: A,
      name: 'cs-frontend',
      roles: [
        { name: 'WebFrontEnd', roleType: 'WebRole' },
        { name: 'OrderWorker', roleType: 'WorkerRole' },
      ],
      virtualNetworkId: WEB_VNET.id,
      tags: { OwnerEmail: 'shop@contoso.com' },
    }),
    cloudServiceRow({
      subscriptionId: A,
      name: 'cs-shop',
      roles: [{ name: 'ShopWeb', roleType: 'WebRole' }],
      tags: { owner: 'shop@contoso.com' },
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-core-classic',
      subnets: ['default', 'FrontEnd', 'BackEnd'],
      addressPrefix: '10.1',
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-web-classic',
      subnets: ['web'],
      addressPrefix: '10.2',
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-ase-classic',
      subnets: ['ase'],
      addressPrefix: '10.3',
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-hdi-classic',
      subnets: ['hdi'],
      addressPrefix: '10.4',
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-apim-classic',
      subnets: ['apim'],
      addressPrefix: '10.5',
    }),
    classicVnetRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-peered-classic',
      subnets: ['default'],
      addressPrefix: '10.6',
      tags: { CONTACT: 'netops@contoso.com,noc@contoso.com' },
    }),
    classicStorageRow({
      subscriptionId: A,
      resourceGroup: STORAGE_RG,
      name: APPS_DISKS,
      accountType: 'Standard-GRS',
      tags: { owner: 'storage@contoso.com' },
    }),
    classicStorageRow({
      subscriptionId: A,
      resourceGroup: STORAGE_RG,
      name: 'contosopremdiag',
      accountType: 'Premium-LRS',
    }),
    classicStorageRow({
      subscriptionId: A,
      resourceGroup: STORAGE_RG,
      name: 'contosoarchive',
      accountType: 'Standard-LRS',
      // Mixed case the way real data has it: a lower-case id and a type as registered.
      id: resourceId(A, STORAGE_RG, CLASSIC_STORAGE, 'contosoarchive').toLowerCase(),
      typeAsStored: 'Microsoft.ClassicStorage/storageAccounts',
      tags: { Contact: 'archive@contoso.com' },
    }),
    reservedIpRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'rip-web',
      inUse: true,
      ipAddress: '203.0.113.20',
      attachedTo: csId(A, 'cs-frontend'),
    }),
    reservedIpRow({
      subscriptionId: A,
      resourceGroup: NETWORKING_RG,
      name: 'rip-unused',
      inUse: false,
      ipAddress: '203.0.113.21',
      tags: { owner: 'netops@contoso.com' },
    }),
    classicNsgRow({ subscriptionId: A, resourceGroup: NETWORKING_RG, name: 'nsg-web-classic' }),
    // Monitoring settings that migration drops.
    resourceRow({
      subscriptionId: A,
      resourceGroup: 'monitoring',
      type: 'microsoft.insights/alertrules',
      name: 'cpu-high-vm-alerted',
      location: 'westeurope',
      properties: {
        name: 'cpu-high-vm-alerted',
        isEnabled: true,
        condition: {
          'odata.type': 'Microsoft.Azure.Management.Insights.Models.ThresholdRuleCondition',
          // Upper-cased provider: ids compare case-insensitively.
          dataSource: {
            resourceUri: vmId(A, 'cs-core', 'vm-alerted').replace(
              'Microsoft.ClassicCompute',
              'MICROSOFT.CLASSICCOMPUTE',
            ),
            metricName: 'Percentage CPU',
          },
          operator: 'GreaterThan',
          threshold: 90,
        },
      },
    }),
    resourceRow({
      subscriptionId: A,
      resourceGroup: 'monitoring',
      type: 'microsoft.insights/autoscalesettings',
      name: 'autoscale-cs-shop',
      properties: {
        enabled: true,
        targetResourceUri: csId(A, 'cs-shop'),
        profiles: [{ name: 'default', capacity: { minimum: '2', maximum: '6', default: '2' } }],
      },
    }),
  ];
  return { rows, vms };
}

function platform(): Row[] {
  const hub = armVnetRow({
    subscriptionId: P,
    resourceGroup: 'rg-network',
    name: 'vnet-hub',
    addressPrefix: '10.100',
    // Peered across subscriptions to a classic VNet; the remote id is lower-case in the peering.
    peerings: [
      vnetId(A, 'vnet-peered-classic').toLowerCase(),
      resourceId(P, 'rg-network', 'microsoft.network/virtualnetworks', 'vnet-spoke'),
    ],
    tags: { owner: 'netops@contoso.com' },
  });
  return [
    hub,
    armVnetRow({
      subscriptionId: P,
      resourceGroup: 'rg-network',
      name: 'vnet-spoke',
      addressPrefix: '10.101',
      peerings: [resourceId(P, 'rg-network', 'microsoft.network/virtualnetworks', 'vnet-hub')],
    }),
    armVnetRow({
      subscriptionId: P,
      resourceGroup: 'rg-network',
      name: 'vnet-isolated',
      addressPrefix: '10.102',
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      type: 'microsoft.compute/virtualmachines',
      name: 'vm-arm-web01',
      properties: {
        vmId: '5c1b7e0e-7f2d-4f55-9c3e-6a1d2b3c4d5e',
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        storageProfile: { osDisk: { osType: 'Linux' } },
        provisioningState: 'Succeeded',
      },
      tags: { owner: 'web-team@contoso.com' },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      type: 'microsoft.storage/storageaccounts',
      name: 'stcontosodata',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: { provisioningState: 'Succeeded', allowSharedKeyAccess: false },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      type: 'microsoft.web/hostingenvironments',
      name: 'ase-legacy',
      kind: 'ASEV1',
      properties: {
        provisioningState: 'Succeeded',
        virtualNetwork: { id: vnetId(A, 'vnet-ase-classic'), subnet: 'ase' },
      },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      type: 'microsoft.web/hostingenvironments',
      name: 'ase-v3',
      kind: 'ASEV3',
      properties: {
        provisioningState: 'Succeeded',
        virtualNetwork: {
          id: `${resourceId(P, 'rg-network', 'microsoft.network/virtualnetworks', 'vnet-spoke')}/subnets/default`,
        },
      },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-analytics',
      type: 'microsoft.hdinsight/clusters',
      name: 'hdi-analytics',
      kind: 'hadoop',
      properties: {
        clusterVersion: '3.6',
        computeProfile: {
          roles: ['headnode', 'workernode'].map((name) => ({
            name,
            targetInstanceCount: 2,
            virtualNetworkProfile: {
              id: vnetId(A, 'vnet-hdi-classic'),
              subnet: `${vnetId(A, 'vnet-hdi-classic')}/subnets/hdi`,
            },
          })),
        },
      },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apis',
      type: 'microsoft.apimanagement/service',
      name: 'apim-partners',
      sku: { name: 'Developer', capacity: 1 },
      properties: {
        virtualNetworkType: 'External',
        virtualNetworkConfiguration: {
          vnetid: '7d3e6a54-2b1c-4f0e-9a8d-1c2b3a4d5e6f',
          subnetResourceId: `${vnetId(A, 'vnet-apim-classic')}/subnets/apim`,
        },
      },
      tags: { OwnerEmail: 'api-team@contoso.com' },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apis',
      type: 'microsoft.apimanagement/service',
      name: 'apim-public',
      sku: { name: 'Consumption', capacity: 0 },
      properties: { virtualNetworkType: 'None' },
    }),
    resourceRow({
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      type: 'microsoft.insights/alertrules',
      name: 'cpu-high-vm-arm-web01',
      properties: {
        isEnabled: true,
        condition: {
          dataSource: {
            resourceUri: resourceId(
              P,
              'rg-apps',
              'microsoft.compute/virtualmachines',
              'vm-arm-web01',
            ),
          },
        },
      },
    }),
  ];
}

function renderFarm(): Row[] {
  const vms: ClassicVmSpec[] = [];
  for (let i = 1; i <= RENDER_VM_COUNT; i++) {
    const n = String(i).padStart(3, '0');
    // At most 50 VMs fit one cloud service: 45 per service.
    const cs = `cs-render-${String(Math.ceil(i / 45)).padStart(2, '0')}`;
    vms.push({
      subscriptionId: R,
      name: `render-${n}`,
      cloudService: cs,
      os: 'Linux',
      size: 'Standard_D4',
      virtualNetwork: { ...RENDER_VNET, subnetNames: ['render'] },
      osDisk: { account: RENDER_DISKS, blob: `render-${n}-os.vhd` },
      tags: { owner: 'render-team@contoso.com' },
    });
  }
  const services = [...new Set(vms.map((v) => v.cloudService))];
  return [
    ...vms.map(classicVmRow),
    ...services.map((name) =>
      cloudServiceRow({
        subscriptionId: R,
        name,
        roles: vms
          .filter((v) => v.cloudService === name)
          .map((v) => ({ name: v.name, roleType: 'PersistentVMRole' as const })),
        virtualNetworkId: RENDER_VNET.id,
      }),
    ),
    classicVnetRow({
      subscriptionId: R,
      resourceGroup: NETWORKING_RG,
      name: 'vnet-render-classic',
      subnets: ['render'],
      addressPrefix: '10.20',
    }),
    classicStorageRow({
      subscriptionId: R,
      resourceGroup: STORAGE_RG,
      name: RENDER_DISKS,
      accountType: 'Standard-LRS',
    }),
  ];
}

function sandbox(): Row[] {
  const farm = (
    name: string,
    kind: string,
    sku: { name: string; tier: string },
    tags?: Record<string, string>,
  ) =>
    resourceRow({
      subscriptionId: S,
      resourceGroup: 'rg-functions',
      type: 'microsoft.web/serverfarms',
      name,
      kind,
      sku,
      tags,
      properties: { reserved: kind.includes('linux'), status: 'Ready', numberOfSites: 1 },
    });
  return [
    farm(
      'plan-func-linux',
      'functionapp,linux',
      { name: 'Y1', tier: 'Dynamic' },
      { owner: 'serverless@contoso.com' },
    ),
    farm('plan-func-windows', 'functionapp', { name: 'Y1', tier: 'Dynamic' }),
    farm('plan-web-linux', 'linux', { name: 'P1v3', tier: 'PremiumV3' }),
    resourceRow({
      subscriptionId: S,
      resourceGroup: 'rg-orders',
      type: 'microsoft.compute/cloudservices',
      name: 'cses-orders',
      properties: {
        provisioningState: 'Succeeded',
        roleProfile: {
          roles: [{ name: 'OrdersWeb', sku: { name: 'Standard_D1_v2', capacity: 2 } }],
        },
      },
      tags: { owner: 'orders@contoso.com' },
    }),
    resourceRow({
      subscriptionId: S,
      resourceGroup: 'rg-lab',
      type: 'microsoft.keyvault/vaults',
      name: 'kv-lab',
      properties: {
        enableRbacAuthorization: true,
        tenantId: 'e7c0a1b2-3d4e-4f5a-8b6c-7d8e9f0a1b2c',
      },
    }),
  ];
}

/** A custom role of subscription A, assignable there only (built-in roles come with the emulator). */
export const DEMO_CUSTOM_ROLE = {
  guid: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
  roleName: 'Contoso Classic VM Operator',
  description: 'Start, stop and restart the classic VMs of the legacy estate.',
  actions: ['Microsoft.ClassicCompute/virtualMachines/*/action', '*/read'],
  notActions: [],
} as const;

function roleDefinitions(): Row[] {
  return [roleDefinitionRow(A, DEMO_CUSTOM_ROLE, 'CustomRole', [`/subscriptions/${A}`])];
}

function roleAssignments(): Row[] {
  return [
    roleAssignmentRow({
      scope: vmId(A, 'cs-core', 'vm-jumpbox'),
      subscriptionId: A,
      resourceGroup: 'cs-core',
      name: '0b6f3a1e-5555-4c2d-9e8f-0a1b2c3d4e05',
      principalId: '9a8b7c6d-0000-4000-8000-000000000005',
      customRole: DEMO_CUSTOM_ROLE.guid,
    }),
    roleAssignmentRow({
      scope: vmId(A, 'cs-core', 'vm-jumpbox'),
      subscriptionId: A,
      resourceGroup: 'cs-core',
      name: '0b6f3a1e-1111-4c2d-9e8f-0a1b2c3d4e01',
      principalId: '9a8b7c6d-0000-4000-8000-000000000001',
    }),
    roleAssignmentRow({
      // Lower-case scope: the assignment was made through a tool that normalised the id.
      scope: resourceId(A, STORAGE_RG, CLASSIC_STORAGE, 'contosoarchive').toLowerCase(),
      subscriptionId: A,
      resourceGroup: STORAGE_RG,
      name: '0b6f3a1e-2222-4c2d-9e8f-0a1b2c3d4e02',
      principalId: '9a8b7c6d-0000-4000-8000-000000000002',
      role: 'Reader',
    }),
    roleAssignmentRow({
      scope: `/subscriptions/${A}`,
      subscriptionId: A,
      name: '0b6f3a1e-3333-4c2d-9e8f-0a1b2c3d4e03',
      principalId: '9a8b7c6d-0000-4000-8000-000000000003',
      role: 'Owner',
    }),
    roleAssignmentRow({
      scope: resourceId(P, 'rg-apps', 'microsoft.compute/virtualmachines', 'vm-arm-web01'),
      subscriptionId: P,
      resourceGroup: 'rg-apps',
      name: '0b6f3a1e-4444-4c2d-9e8f-0a1b2c3d4e04',
      principalId: '9a8b7c6d-0000-4000-8000-000000000004',
    }),
  ];
}

/** Resource ids the demo is built to make each rule fire on (at least these; see the table above). */
export function demoRuleWitnesses(): Record<string, string[]> {
  const vm = (name: string, cs = 'cs-core') => vmId(A, cs, name);
  const vnet = (name: string, sub: string = A) => vnetId(sub, name);
  const storage = (name: string, sub: string = A) =>
    resourceId(sub, STORAGE_RG, CLASSIC_STORAGE, name);
  const allVnets = [
    'vnet-core-classic',
    'vnet-web-classic',
    'vnet-ase-classic',
    'vnet-hdi-classic',
    'vnet-apim-classic',
    'vnet-peered-classic',
  ].map((n) => vnet(n));
  allVnets.push(vnet('vnet-render-classic', R));
  return {
    'classic/vm-endpoint-acl': [vm('vm-acl')],
    'classic/vm-multiple-subnets': [vm('vm-twonics')],
    'classic/vm-vnet-without-subnet': [vm('vm-nosubnet')],
    'classic/vm-boot-diagnostics-premium': [vm('vm-bootdiag')],
    'classic/vm-defender-extension': [vm('vm-defender')],
    'classic/vm-backup-extension': [vm('vm-backup')],
    'classic/vm-guest-agent-not-ready': [vm('vm-agentdown')],
    'classic/cloud-service-multiple-availability-sets': [csId(A, 'cs-multi-avset')],
    'classic/cloud-service-mixed-availability-sets': [csId(A, 'cs-mixed-avset')],
    'classic/vnet-mixed-vms-and-roles': [vnet('vnet-web-classic')],
    'classic/vnet-app-service-environment': [vnet('vnet-ase-classic')],
    'classic/vnet-hdinsight': [vnet('vnet-hdi-classic')],
    'classic/vnet-api-management': [vnet('vnet-apim-classic')],
    'classic/vnet-peered': [vnet('vnet-peered-classic')],
    'classic/vnet-application-gateway': allVnets,
    'classic/vnet-dynamics-lcs': allVnets,
    'classic/vnet-expressroute': allVnets,
    'classic/vm-vhd-name-has-slash': [vm('vm-slashvhd')],
    'classic/vm-role-state-unknown': [vm('vm-unknown')],
    'classic/vnet-many-vms': [vnet('vnet-render-classic', R)],
    'classic/vm-xml-extensions': [vm('vm-bginfo'), vm('vm-webdeploy')],
    'classic/vm-site-recovery-extension': [vm('vm-asr')],
    'classic/vm-alerts-or-autoscale': [vm('vm-alerted'), csId(A, 'cs-shop')],
    'classic/rbac-on-classic-resource': [vm('vm-jumpbox'), storage('contosoarchive').toLowerCase()],
    'classic/vm-outside-vnet': [vm('vm-nonet', 'cs-nonet')],
    'classic/storage-account-has-vm-disks': [storage(APPS_DISKS), storage(RENDER_DISKS, R)],
    'classic/storage-account-standalone': [
      storage('contosoarchive').toLowerCase(),
      storage('contosopremdiag'),
    ],
    'classic/unattached-reserved-ip': [
      resourceId(A, NETWORKING_RG, 'microsoft.classicnetwork/reservedips', 'rip-unused'),
    ],
    'retirement/classic-vm': [vm('vm-healthy01', 'cs-healthy'), vm('vm-healthy02', 'cs-healthy')],
    'retirement/cloud-services-classic': [csId(A, 'cs-healthy')],
    'retirement/classic-storage': [storage(APPS_DISKS)],
    'retirement/classic-networking': [
      vnet('vnet-core-classic'),
      resourceId(A, NETWORKING_RG, 'microsoft.classicnetwork/reservedips', 'rip-web'),
      resourceId(
        A,
        NETWORKING_RG,
        'microsoft.classicnetwork/networksecuritygroups',
        'nsg-web-classic',
      ),
    ],
    'retirement/cloud-services-extended-support': [
      resourceId(S, 'rg-orders', 'microsoft.compute/cloudservices', 'cses-orders'),
    ],
    'retirement/linux-consumption-plan': [
      resourceId(S, 'rg-functions', 'microsoft.web/serverfarms', 'plan-func-linux'),
    ],
  };
}

/** Ids of the healthy classic resources: each fires its retirement rule and nothing else. */
export function demoHealthyClassicIds(): string[] {
  return [
    vmId(A, 'cs-healthy', 'vm-healthy01'),
    vmId(A, 'cs-healthy', 'vm-healthy02'),
    csId(A, 'cs-healthy'),
    resourceId(A, NETWORKING_RG, 'microsoft.classicnetwork/reservedips', 'rip-web'),
    resourceId(
      A,
      NETWORKING_RG,
      'microsoft.classicnetwork/networksecuritygroups',
      'nsg-web-classic',
    ),
  ];
}

/** The demo's modern resources hit by retirements, and the Advisor and Service Health rows that say so. */
export function demoRetirements(): RetirementRows {
  return demoRetirementRows({
    platform: P,
    sandbox: S,
    classicVmId: vmId(A, 'cs-healthy', 'vm-healthy01'),
  });
}

/**
 * The demo tenant: a fresh copy on every call, so a caller may mutate it. `testFixtures` adds a clearly named
 * subscription of hostile names (script tags, markup, quotes) for the escaping tests; `npm start` leaves it out.
 */
export function demoTenant(options: { testFixtures?: boolean } = {}): Tenant {
  const apps = classicApps();
  const retirements = demoRetirements();
  const fixtures = options.testFixtures ? testFixtures() : undefined;
  const resources = [
    ...apps.rows,
    ...platform(),
    ...renderFarm(),
    ...sandbox(),
    ...retirements.resources,
    ...(fixtures?.rows ?? []),
  ];
  return {
    subscriptions: [
      {
        subscriptionId: A,
        displayName: 'Contoso Classic Apps (Prod)',
        tags: { owner: 'apps-team@contoso.com' },
        managementGroups: [DEMO_MANAGEMENT_GROUPS.root, DEMO_MANAGEMENT_GROUPS.apps],
      },
      {
        subscriptionId: P,
        displayName: 'Contoso Platform',
        tags: { OwnerEmail: 'netops@contoso.com; secops@contoso.com' },
        managementGroups: [DEMO_MANAGEMENT_GROUPS.root, DEMO_MANAGEMENT_GROUPS.platform],
      },
      {
        subscriptionId: R,
        displayName: 'Contoso Legacy Render Farm',
        tags: { Contact: 'Render Farm Team' },
        managementGroups: [DEMO_MANAGEMENT_GROUPS.root, DEMO_MANAGEMENT_GROUPS.apps],
      },
      {
        subscriptionId: S,
        displayName: 'Contoso Sandbox',
        tags: { owner: 'sandbox-admins@contoso.com', description: 'Experiments, may be deleted' },
        managementGroups: [DEMO_MANAGEMENT_GROUPS.root],
      },
      ...(fixtures ? [fixtures.subscription] : []),
    ],
    resources,
    resourceGroups: resourceGroupRows(resources, {
      'cs-core': { owner: 'legacy-apps@contoso.com' },
      'cs-healthy': { OwnerEmail: 'legacy-apps@contoso.com;ops@contoso.com' },
      [NETWORKING_RG]: { CONTACT: 'netops@contoso.com,noc@contoso.com' },
      [STORAGE_RG]: { Owner: 'Storage Team' },
      'rg-apps': { owner: 'web-team@contoso.com' },
      'rg-functions': { contact: 'Serverless guild' },
    }),
    authorizationResources: [...roleAssignments(), ...roleDefinitions()],
    advisorResources: retirements.advisor,
    serviceHealthResources: retirements.health,
  };
}
