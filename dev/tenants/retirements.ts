// Rows of the retirement sources, shaped as docs/retirements.md documents them: Advisor's catalog
// (microsoft.advisor/metadata, the bundled snapshot), its impacted resources (microsoft.advisor/recommendations)
// and Service Health retirement notices (microsoft.resourcehealth/events and …/impactedresources).
import { createHash } from 'node:crypto';
import advisorCatalog from '../../src/rules/retirement/advisor-catalog.json' with { type: 'json' };
import { TENANT_ID, type Row, type Tags } from './build.js';

/** Catalog rows (tenant-level: no subscription), every language, as the snapshot has them. */
export function advisorMetadataRows(): Row[] {
  return structuredClone(advisorCatalog.rows) as Row[];
}

/** The recommendation type id of the catalog entry for a feature (English row). */
export function typeIdOf(feature: string): string {
  const row = advisorCatalog.rows.find(
    (r) =>
      r.properties.language === 'en' &&
      r.properties.sourceProperties.serviceRetirement.retirementFeatureName === feature,
  );
  if (!row) throw new Error(`no catalog entry for ${feature}`);
  return row.properties.recommendationTypeId;
}

function guid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function armId(sub: string, group: string, providerType: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${group}/providers/${providerType}/${name}`;
}

/** A modern `resources` row (only what the retirement cases need). */
export function modernRow(
  sub: string,
  group: string,
  providerType: string,
  name: string,
  extra: { tags?: Tags; sku?: unknown; kind?: string; properties?: unknown } = {},
): Row {
  return {
    id: armId(sub, group, providerType, name),
    name,
    type: providerType.toLowerCase(),
    tenantId: TENANT_ID,
    kind: extra.kind ?? '',
    location: 'westeurope',
    resourceGroup: group,
    subscriptionId: sub,
    managedBy: '',
    sku: extra.sku ?? null,
    plan: null,
    properties: extra.properties ?? {},
    tags: extra.tags ?? {},
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/**
 * An Advisor recommendation row of subcategory ServiceUpgradeAndRetirement on one resource, as Microsoft's
 * sample query and workbook read it. `feature` '' or 'N/A' makes an upgrade that retires nothing.
 */
export function recommendationRow(
  resourceId: string,
  typeId: string,
  feature: string,
  date: string,
  extra: Record<string, unknown> = {},
): Row {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
  const group = /\/resourcegroups\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
  const name = guid(`${resourceId}|${typeId}`);
  const providerType = /\/providers\/([^/]+\/[^/]+)\//i.exec(resourceId)?.[1] ?? '';
  return {
    id: `${resourceId}/providers/Microsoft.Advisor/recommendations/${name}`,
    name,
    type: 'microsoft.advisor/recommendations',
    tenantId: TENANT_ID,
    kind: '',
    location: '',
    resourceGroup: group.toLowerCase(),
    subscriptionId: sub,
    managedBy: '',
    sku: null,
    plan: null,
    tags: null,
    identity: null,
    zones: null,
    extendedLocation: null,
    properties: {
      category: 'HighAvailability',
      impact: 'High',
      impactedField: providerType,
      impactedValue: resourceId.split('/').pop(),
      lastUpdated: '2026-11-20T04:12:00Z',
      recommendationTypeId: typeId,
      resourceMetadata: { resourceId, source: resourceId },
      shortDescription: {
        problem: feature ? `${feature} retires on ${date}` : 'Upgrade to the latest version',
        solution: 'Migrate before the retirement date',
      },
      extendedProperties: {
        recommendationSubCategory: 'ServiceUpgradeAndRetirement',
        recommendationOfferingId: guid(typeId),
        retirementFeatureName: feature,
        retirementDate: date,
      },
      ...extra,
    },
  };
}

export interface NoticeSpec {
  readonly trackingId: string;
  readonly title: string;
  readonly service: string;
  readonly date: string;
  readonly subType?: string;
  readonly eventType?: string;
}

/** A Service Health event of one subscription (PascalCase properties, as Resource Graph returns them). */
export function noticeRow(sub: string, n: NoticeSpec): Row {
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.ResourceHealth/events/${n.trackingId}`,
    name: n.trackingId,
    type: 'microsoft.resourcehealth/events',
    tenantId: TENANT_ID,
    kind: '',
    location: 'global',
    resourceGroup: '',
    subscriptionId: sub,
    managedBy: '',
    sku: null,
    plan: null,
    tags: null,
    identity: null,
    zones: null,
    extendedLocation: null,
    properties: {
      EventType: n.eventType ?? 'HealthAdvisory',
      EventSubType: n.subType ?? 'Retirement',
      EventSource: 'ResourceHealth',
      TrackingId: n.trackingId,
      Title: n.title,
      Summary: `<p>${n.title}. Migrate before ${n.date}.</p>`,
      Status: 'Active',
      Level: 'Warning',
      ImpactStartTime: '2025-10-01T00:00:00Z',
      ImpactMitigationTime: `${n.date}T00:00:00Z`,
      LastUpdateTime: '2026-11-01T00:00:00Z',
      Impact: [
        { ImpactedService: n.service, ImpactedRegions: [{ ImpactedRegion: 'West Europe' }] },
      ],
    },
  };
}

/** A resource a notice lists. */
export function impactedRow(sub: string, trackingId: string, resourceId: string): Row {
  const name = guid(`${trackingId}|${resourceId}`);
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.ResourceHealth/events/${trackingId}/impactedResources/${name}`,
    name,
    type: 'microsoft.resourcehealth/events/impactedresources',
    tenantId: TENANT_ID,
    kind: '',
    location: '',
    resourceGroup: '',
    subscriptionId: sub,
    managedBy: '',
    sku: null,
    plan: null,
    tags: null,
    identity: null,
    zones: null,
    extendedLocation: null,
    properties: {
      targetResourceId: resourceId,
      targetResourceType: /\/providers\/([^/]+\/[^/]+)\//i.exec(resourceId)?.[1] ?? '',
      targetRegion: 'westeurope',
      resourceName: resourceId.split('/').pop(),
      resourceGroup: /\/resourcegroups\/([^/]+)/i.exec(resourceId)?.[1] ?? '',
    },
  };
}

export interface RetirementRows {
  readonly resources: Row[];
  readonly advisor: Row[];
  readonly health: Row[];
  /** The data-defined retirement ids the rows make fire, with the resource ids they hit. */
  readonly witnesses: Record<string, string[]>;
  /** Retirements listed as not evaluated (a Manual entry whose query the product does not run). */
  readonly notEvaluated: string[];
}

/**
 * The demo tenant's modern resources hit by retirements: Automated Advisor entries, a Manual entry whose query
 * runs and one that is not evaluated, Service Health notices with and without impacted resources, an upgrade
 * that retires nothing, and a classic VM Advisor reports too (the hand-written rule keeps it).
 */
export function demoRetirementRows(o: {
  platform: string;
  sandbox: string;
  classicVmId: string;
}): RetirementRows {
  const P = o.platform;
  const S = o.sandbox;
  const resources = [
    modernRow(P, 'rg-edge', 'Microsoft.Network/publicIPAddresses', 'pip-legacy-gw', {
      sku: { name: 'Basic', tier: 'Regional' },
      tags: { owner: 'netops@contoso.com' },
    }),
    modernRow(P, 'rg-edge', 'Microsoft.Network/loadBalancers', 'lb-legacy-dmz', {
      sku: { name: 'Basic', tier: 'Regional' },
    }),
    modernRow(P, 'rg-edge', 'Microsoft.Network/frontDoors', 'afd-legacy'),
    modernRow(P, 'rg-logs', 'Microsoft.Storage/storageAccounts', 'stlegacylogs', {
      kind: 'StorageV2',
      properties: { minimumTlsVersion: 'TLS1_0' },
    }),
    modernRow(S, 'rg-build', 'Microsoft.Compute/virtualMachines', 'vm-build01', {
      tags: { owner: 'build-team@contoso.com' },
    }),
    modernRow(S, 'rg-build', 'Microsoft.ContainerService/managedClusters', 'aks-batch'),
    modernRow(S, 'rg-apps', 'Microsoft.Cache/Redis', 'redis-sessions', {
      properties: { redisVersion: '4.0.14' },
    }),
    modernRow(S, 'rg-orders', 'Microsoft.DBforMySQL/servers', 'mysql-orders'),
    modernRow(S, 'rg-orders', 'Microsoft.Sql/servers', 'sql-orders', {
      properties: { version: '12.0' },
    }),
    modernRow(S, 'rg-apps', 'Microsoft.Insights/components', 'appi-classic-shop'),
  ];
  const id = (r: Row) => r.id as string;
  const [pip, lb, afd, st, vm, aks, redis, mysql, sql] = resources.map(id) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const ase = armId(P, 'rg-ase', 'Microsoft.Web/hostingEnvironments', 'ase-v2-intranet');
  const rec = (resourceId: string, feature: string, date: string, extra = {}) =>
    recommendationRow(resourceId, typeIdOf(feature), feature, date, extra);
  const advisor = [
    ...advisorMetadataRows(),
    rec(pip, 'Basic SKU public IP addresses', '2025-09-30'),
    rec(lb, 'Basic Load Balancer', '2025-09-30'),
    rec(st, 'TLS 1.0 and 1.1', '2026-02-03'),
    rec(vm, 'Unmanaged disks', '2026-03-31'),
    rec(aks, 'Kubenet networking', '2028-03-31'),
    rec(redis, 'Azure Cache for Redis version 4', '2026-06-30'),
    rec(mysql, 'Single Server', '2024-09-16'),
    // A recommendation row alone is enough: no resource row for this App Service Environment.
    rec(ase, 'App Service Environment v1 and v2', '2024-08-31'),
    // Advisor reports a classic VM too: the hand-written retirement/classic-vm keeps it (one finding).
    rec(o.classicVmId, 'Virtual Machines (classic)', '2023-09-06'),
    // An upgrade that retires nothing, a postponed (tracked) row and a remediated one: no finding.
    recommendationRow(vm, typeIdOf('Unmanaged disks'), 'N/A', ''),
    recommendationRow(aks, typeIdOf('Basic Load Balancer'), 'Basic Load Balancer', '2025-09-30', {
      tracked: { state: 'Postponed', postponedUntil: '2027-01-01T00:00:00Z' },
    }),
    recommendationRow(mysql, typeIdOf('TLS 1.0 and 1.1'), 'TLS 1.0 and 1.1', '2026-02-03', {
      platformState: 'Resolved',
    }),
  ];
  const health = [
    // Listed per resource, and the same retirement Advisor reports (tracking id in the catalog): one finding.
    noticeRow(S, {
      trackingId: '4T1Q-PX8',
      title: 'Azure Cache for Redis version 4 retires',
      service: 'Azure Cache for Redis',
      date: '2026-06-30',
    }),
    impactedRow(S, '4T1Q-PX8', redis),
    // Only Service Health knows it, with its resources.
    noticeRow(P, {
      trackingId: 'FD7C-9Q2',
      title: 'Azure Front Door (classic) retires',
      service: 'Front Door',
      date: '2027-03-31',
    }),
    impactedRow(P, 'FD7C-9Q2', afd),
    // Announced for the whole subscription, no resource listed.
    noticeRow(S, {
      trackingId: 'ZK3N-8RT',
      title: 'Support for the in-process model for .NET apps in Azure Functions ends',
      service: 'Functions',
      date: '2026-11-10',
    }),
    // Not a retirement: ignored.
    noticeRow(S, {
      trackingId: 'MT0P-111',
      title: 'Planned maintenance',
      service: 'Virtual Machines',
      date: '2026-12-15',
      subType: 'PlannedMaintenance',
      eventType: 'PlannedMaintenance',
    }),
  ];
  return {
    resources,
    advisor,
    health,
    witnesses: {
      'retirement/network-basic-sku-public-ip-addresses': [pip],
      'retirement/network-basic-load-balancer': [lb],
      'retirement/storage-tls-1-0-and-1-1': [st],
      'retirement/compute-unmanaged-disks': [vm],
      'retirement/containerservice-kubenet-networking': [aks],
      'retirement/cache-azure-cache-for-redis-version-4': [redis],
      'retirement/dbformysql-single-server': [mysql],
      'retirement/web-app-service-environment-v1-and-v2': [ase],
      'retirement/sql-api-version-2014-04-01': [sql],
      'retirement/health-fd7c-9q2': [afd],
      'retirement/health-zk3n-8rt': [`/subscriptions/${S}`],
    },
    notEvaluated: ['retirement/insights-classic-application-insights'],
  };
}
