// Row builders shared by the demo and synthetic tenants: Resource Graph rows of the shapes rules.md documents.

export type Row = Record<string, unknown>;
export type Tags = Record<string, string>;

/** The (made-up) Entra tenant every generated row belongs to. */
export const TENANT_ID = 'e7c0a1b2-3d4e-4f5a-8b6c-7d8e9f0a1b2c';

export const CLASSIC_VM = 'microsoft.classiccompute/virtualmachines';
export const CLOUD_SERVICE = 'microsoft.classiccompute/domainnames';
export const CLASSIC_STORAGE = 'microsoft.classicstorage/storageaccounts';
export const CLASSIC_VNET = 'microsoft.classicnetwork/virtualnetworks';
export const CLASSIC_RESERVED_IP = 'microsoft.classicnetwork/reservedips';
export const CLASSIC_NSG = 'microsoft.classicnetwork/networksecuritygroups';
export const ROLE_ASSIGNMENT = 'microsoft.authorization/roleassignments';
export const RESOURCE_GROUP = 'microsoft.resources/subscriptions/resourcegroups';

/** Provider segment as it appears in ids (ARM keeps the registered casing; `type` is lower-case). */
const PROVIDER_IN_ID: Record<string, string> = {
  [CLASSIC_VM]: 'Microsoft.ClassicCompute/virtualMachines',
  [CLOUD_SERVICE]: 'Microsoft.ClassicCompute/domainNames',
  [CLASSIC_STORAGE]: 'Microsoft.ClassicStorage/storageAccounts',
  [CLASSIC_VNET]: 'Microsoft.ClassicNetwork/virtualNetworks',
  [CLASSIC_RESERVED_IP]: 'Microsoft.ClassicNetwork/reservedIps',
  [CLASSIC_NSG]: 'Microsoft.ClassicNetwork/networkSecurityGroups',
  'microsoft.compute/virtualmachines': 'Microsoft.Compute/virtualMachines',
  'microsoft.compute/cloudservices': 'Microsoft.Compute/cloudServices',
  'microsoft.compute/disks': 'Microsoft.Compute/disks',
  'microsoft.storage/storageaccounts': 'Microsoft.Storage/storageAccounts',
  'microsoft.network/virtualnetworks': 'Microsoft.Network/virtualNetworks',
  'microsoft.network/networkinterfaces': 'Microsoft.Network/networkInterfaces',
  'microsoft.network/publicipaddresses': 'Microsoft.Network/publicIPAddresses',
  'microsoft.keyvault/vaults': 'Microsoft.KeyVault/vaults',
  'microsoft.web/serverfarms': 'Microsoft.Web/serverFarms',
  'microsoft.web/sites': 'Microsoft.Web/sites',
  'microsoft.web/hostingenvironments': 'Microsoft.Web/hostingEnvironments',
  'microsoft.hdinsight/clusters': 'Microsoft.HDInsight/clusters',
  'microsoft.apimanagement/service': 'Microsoft.ApiManagement/service',
  'microsoft.insights/alertrules': 'Microsoft.Insights/alertRules',
  'microsoft.insights/autoscalesettings': 'Microsoft.Insights/autoscaleSettings',
};

export function resourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string {
  const provider = PROVIDER_IN_ID[type];
  if (!provider) throw new Error(`no id casing for type ${type}`);
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${name}`;
}

export interface RowSpec {
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
  location?: string;
  tags?: Tags;
  kind?: string;
  sku?: unknown;
  properties?: unknown;
  /** Overrides the id built from the other fields (e.g. to mix case the way real data does). */
  id?: string;
  /** Overrides the lower-case type in the row. */
  typeAsStored?: string;
}

/** A `resources` row with every column Resource Graph returns by default. */
export function resourceRow(spec: RowSpec): Row {
  return {
    id: spec.id ?? resourceId(spec.subscriptionId, spec.resourceGroup, spec.type, spec.name),
    name: spec.name,
    type: spec.typeAsStored ?? spec.type,
    tenantId: TENANT_ID,
    kind: spec.kind ?? '',
    location: spec.location ?? 'westeurope',
    resourceGroup: spec.resourceGroup,
    subscriptionId: spec.subscriptionId,
    managedBy: '',
    sku: spec.sku ?? null,
    plan: null,
    properties: spec.properties ?? {},
    tags: spec.tags ?? {},
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

export interface Endpoint {
  endpointName: string;
  publicPort: number;
  privatePort: number;
  protocol: 'tcp' | 'udp';
  endpointAcl?: {
    rules: {
      order: number;
      action: 'permit' | 'deny';
      remoteSubnet: string;
      description?: string;
    }[];
  };
}

export interface Extension {
  extension: string;
  publisher: string;
  version: string;
  state?: string;
  referenceName?: string;
}

export interface ClassicVmSpec {
  subscriptionId: string;
  name: string;
  /** The cloud service (domain name); also the VM's resource group, as classic resources show in ARG. */
  cloudService: string;
  cloudServiceId?: string;
  location?: string;
  tags?: Tags;
  availabilitySet?: string;
  /** Absent = the VM is in no VNet. */
  virtualNetwork?: { id: string; name: string; subnetNames?: string[] };
  endpoints?: Endpoint[];
  extensions?: Extension[];
  /** Storage account of the boot diagnostics blobs; absent = boot diagnostics off. */
  bootDiagnosticsAccount?: string;
  status?: string;
  guestAgentStatus?: string | null;
  osDisk: { account: string; accountId?: string; container?: string; blob: string };
  dataDisks?: { account: string; accountId?: string; container?: string; blob: string }[];
  id?: string;
  typeAsStored?: string;
  os?: 'Windows' | 'Linux';
  size?: string;
}

function disk(d: ClassicVmSpec['osDisk'], name: string, lun?: number): Row {
  return {
    diskName: name,
    ...(lun !== undefined ? { lun, diskSize: 128 } : {}),
    caching: 'ReadWrite',
    ioType: 'Standard',
    vhdUri: `https://${d.account}.blob.core.windows.net/${d.container ?? 'vhds'}/${d.blob}`,
    storageAccount: {
      ...(d.accountId ? { id: d.accountId } : {}),
      name: d.account,
      type: CLASSIC_STORAGE,
    },
  };
}

/** A classic VM row with the field paths of rules.md ("Classic VM ... fields used"). */
export function classicVmRow(s: ClassicVmSpec): Row {
  const csId =
    s.cloudServiceId ?? resourceId(s.subscriptionId, s.cloudService, CLOUD_SERVICE, s.cloudService);
  const os = s.os ?? 'Windows';
  const endpoints: Endpoint[] = s.endpoints ?? [
    os === 'Windows'
      ? { endpointName: 'RemoteDesktop', publicPort: 3389, privatePort: 3389, protocol: 'tcp' }
      : { endpointName: 'SSH', publicPort: 22, privatePort: 22, protocol: 'tcp' },
  ];
  return resourceRow({
    subscriptionId: s.subscriptionId,
    resourceGroup: s.cloudService,
    type: CLASSIC_VM,
    name: s.name,
    location: s.location,
    tags: s.tags,
    id: s.id,
    typeAsStored: s.typeAsStored,
    properties: {
      provisioningState: 'Succeeded',
      domainName: { id: csId, name: s.cloudService, type: CLOUD_SERVICE },
      hardwareProfile: {
        size: s.size ?? 'Standard_D2',
        platformGuestAgent: true,
        deploymentName: s.cloudService,
        ...(s.availabilitySet !== undefined ? { availabilitySet: s.availabilitySet } : {}),
      },
      networkProfile: {
        inputEndpoints: endpoints.map((e) => ({
          ...e,
          vip: '203.0.113.10',
          enableDirectServerReturn: false,
        })),
        ...(s.virtualNetwork
          ? {
              virtualNetwork: {
                id: s.virtualNetwork.id,
                name: s.virtualNetwork.name,
                ...(s.virtualNetwork.subnetNames !== undefined
                  ? { subnetNames: s.virtualNetwork.subnetNames }
                  : {}),
                type: CLASSIC_VNET,
              },
            }
          : {}),
      },
      extensions: (s.extensions ?? []).map((e) => ({
        state: 'Enable',
        referenceName: e.extension,
        ...e,
      })),
      debugProfile: s.bootDiagnosticsAccount
        ? {
            bootDiagnosticsEnabled: true,
            consoleScreenshotBlobUri: `https://${s.bootDiagnosticsAccount}.blob.core.windows.net/bootdiagnostics-${s.name}/${s.name}.screenshot.bmp`,
            serialOutputBlobUri: `https://${s.bootDiagnosticsAccount}.blob.core.windows.net/bootdiagnostics-${s.name}/${s.name}.serialconsole.log`,
          }
        : { bootDiagnosticsEnabled: false },
      instanceView: {
        status: s.status ?? 'ReadyRole',
        powerState: s.status === 'StoppedDeallocated' ? 'Stopped' : 'Started',
        fullyQualifiedDomainName: `${s.cloudService}.cloudapp.net`,
        ...(s.guestAgentStatus === null
          ? {}
          : {
              guestAgentStatus: {
                status: s.guestAgentStatus ?? 'Ready',
                guestAgentVersion: '2.7.41491.1102',
              },
            }),
      },
      storageProfile: {
        operatingSystemDisk: { ...disk(s.osDisk, `${s.name}-os`), operatingSystem: os },
        dataDisks: (s.dataDisks ?? []).map((d, i) => disk(d, `${s.name}-data-${i}`, i)),
      },
    },
  });
}

export interface CloudServiceSpec {
  subscriptionId: string;
  name: string;
  location?: string;
  tags?: Tags;
  roles: { name: string; roleType: 'WebRole' | 'WorkerRole' | 'PersistentVMRole' }[];
  virtualNetworkId?: string;
  label?: string;
}

/** A cloud service row: roles and VNet follow the product's enrichment convention (rules.md). */
export function cloudServiceRow(s: CloudServiceSpec): Row {
  return resourceRow({
    subscriptionId: s.subscriptionId,
    resourceGroup: s.name,
    type: CLOUD_SERVICE,
    name: s.name,
    location: s.location,
    tags: s.tags,
    properties: {
      status: 'Created',
      hostName: `${s.name}.cloudapp.net`,
      label: s.label ?? s.name,
      roles: s.roles,
      ...(s.virtualNetworkId ? { virtualNetwork: { id: s.virtualNetworkId } } : {}),
    },
  });
}

export function classicStorageRow(s: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  accountType: string;
  location?: string;
  tags?: Tags;
  id?: string;
  typeAsStored?: string;
}): Row {
  return resourceRow({
    ...s,
    type: CLASSIC_STORAGE,
    properties: {
      provisioningState: 'Succeeded',
      status: 'Created',
      accountType: s.accountType,
      endpoints: [
        `https://${s.name}.blob.core.windows.net/`,
        `https://${s.name}.table.core.windows.net/`,
      ],
    },
  });
}

export function classicVnetRow(s: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  subnets: string[];
  location?: string;
  tags?: Tags;
  addressPrefix?: string;
}): Row {
  const prefix = s.addressPrefix ?? '10.0';
  return resourceRow({
    ...s,
    type: CLASSIC_VNET,
    properties: {
      provisioningState: 'Succeeded',
      status: 'Created',
      addressSpace: { addressPrefixes: [`${prefix}.0.0/16`] },
      subnets: s.subnets.map((name, i) => ({ name, addressPrefix: `${prefix}.${i}.0/24` })),
    },
  });
}

export function reservedIpRow(s: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  inUse: boolean;
  ipAddress: string;
  location?: string;
  tags?: Tags;
  attachedTo?: string;
}): Row {
  return resourceRow({
    ...s,
    type: CLASSIC_RESERVED_IP,
    properties: {
      provisioningState: 'Succeeded',
      status: 'Created',
      ipAddress: s.ipAddress,
      inUse: s.inUse,
      ...(s.attachedTo ? { attachedTo: { id: s.attachedTo } } : {}),
    },
  });
}

export function classicNsgRow(s: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  tags?: Tags;
}): Row {
  return resourceRow({
    ...s,
    type: CLASSIC_NSG,
    properties: {
      provisioningState: 'Succeeded',
      rules: [
        {
          name: 'allow-https',
          priority: 100,
          action: 'Allow',
          destinationPortRange: '443',
          protocol: 'TCP',
        },
      ],
    },
  });
}

export function armVnetRow(s: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Remote VNet ids this VNet is peered with (classic or ARM). */
  peerings?: string[];
  location?: string;
  tags?: Tags;
  addressPrefix?: string;
}): Row {
  return resourceRow({
    ...s,
    type: 'microsoft.network/virtualnetworks',
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: [`${s.addressPrefix ?? '10.100'}.0.0/16`] },
      subnets: [
        { name: 'default', properties: { addressPrefix: `${s.addressPrefix ?? '10.100'}.0.0/24` } },
      ],
      virtualNetworkPeerings: (s.peerings ?? []).map((remote, i) => ({
        name: `peering-${i}-${remote.split('/').pop() ?? 'remote'}`,
        properties: {
          peeringState: 'Connected',
          remoteVirtualNetwork: { id: remote },
          allowVirtualNetworkAccess: true,
        },
      })),
    },
  });
}

export function roleAssignmentRow(s: {
  scope: string;
  subscriptionId: string;
  resourceGroup?: string;
  name: string;
  principalId: string;
  role?: 'Owner' | 'Contributor' | 'Reader';
  /** A custom role's GUID (its definition is a row of the tenant's `authorizationResources`). */
  customRole?: string;
}): Row {
  const roles = {
    Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  } as const;
  return {
    id: `${s.scope}/providers/Microsoft.Authorization/roleAssignments/${s.name}`,
    name: s.name,
    type: ROLE_ASSIGNMENT,
    tenantId: TENANT_ID,
    kind: '',
    location: '',
    resourceGroup: s.resourceGroup ?? '',
    subscriptionId: s.subscriptionId,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      scope: s.scope,
      principalId: s.principalId,
      principalType: 'User',
      roleDefinitionId: `/subscriptions/${s.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${s.customRole ?? roles[s.role ?? 'Contributor']}`,
      createdOn: '2019-03-04T10:00:00.0000000Z',
    },
    tags: {},
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/** One `resourcecontainers` row per distinct (subscription, resource group) of the rows, tagged from `tags`. */
export function resourceGroupRows(rows: readonly Row[], tags: Record<string, Tags> = {}): Row[] {
  const seen = new Map<string, Row>();
  for (const r of rows) {
    const sub = r.subscriptionId;
    const rg = r.resourceGroup;
    if (typeof sub !== 'string' || typeof rg !== 'string' || rg === '') continue;
    const key = `${sub.toLowerCase()}/${rg.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.set(key, {
      id: `/subscriptions/${sub}/resourceGroups/${rg}`,
      name: rg,
      type: RESOURCE_GROUP,
      tenantId: TENANT_ID,
      kind: '',
      location: typeof r.location === 'string' ? r.location : 'westeurope',
      resourceGroup: rg,
      subscriptionId: sub,
      managedBy: '',
      sku: null,
      plan: null,
      properties: { provisioningState: 'Succeeded' },
      tags: tags[rg] ?? {},
      identity: null,
      zones: null,
      extendedLocation: null,
    });
  }
  return [...seen.values()];
}
