// Data-defined retirements: rows shaped as Microsoft documents them (docs/retirements.md names each source) in,
// one rule per catalog entry and one finding per resource and retirement out.
import { describe, expect, it } from 'vitest';
import {
  acceptManualQuery,
  advisorHit,
  catalogOfRows,
  dataRetirementRule,
  healthImpact,
  healthNotice,
  retirementFindings,
  retirementIdOf,
  type AdvisorHit,
} from '../../../src/rules/retirement/data-retirements.js';
import {
  BUILT_IN_DATA_RETIREMENTS,
  DEFAULT_CATALOG,
  claimedTypes,
} from '../../../src/rules/index.js';
import { BUILT_IN_RETIREMENTS } from '../../../src/rules/retirement/catalog.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const SUB = '11111111-1111-1111-1111-111111111111';
const PIP = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/publicIPAddresses/pip-web`;
const TYPE = 'aaaaaaaa-0000-0000-0000-000000000001';

/** A metadata row as the Advisor docs' "Service upgrade and retirement" page and platform-facts list it. */
function metadata(over: Record<string, unknown> = {}, sr: Record<string, unknown> = {}) {
  return {
    id: `/providers/Microsoft.Advisor/metadata/${TYPE}-en`,
    type: 'microsoft.advisor/metadata',
    properties: {
      language: 'en',
      recommendationTypeId: TYPE,
      recommendationSubCategory: 'ServiceUpgradeAndRetirement',
      supportedResourceType: 'Microsoft.Network/publicIPAddresses',
      learnMoreLink: 'https://azure.microsoft.com/updates/basic-sku',
      recommendationIngestionType: 'Automated',
      recommendationDataSourceQuery: '',
      sourceProperties: {
        serviceRetirement: {
          retirementFeatureName: 'Basic SKU public IP addresses',
          retirementDate: '2025-09-30T00:00:00Z',
          serviceHealth: {
            trackingIds: ['VT8Y-1K8'],
            ashUrls: ['https://app.azure.com/h/VT8Y-1K8'],
          },
          ...sr,
        },
      },
      ...over,
    },
  };
}

/** A recommendation row as Microsoft's sample query reads it (learn.microsoft.com advisor service retirement). */
function recommendation(ext: Record<string, unknown> = {}, props: Record<string, unknown> = {}) {
  return {
    id: `${PIP}/providers/Microsoft.Advisor/recommendations/r1`,
    type: 'microsoft.advisor/recommendations',
    subscriptionId: SUB,
    properties: {
      category: 'HighAvailability',
      recommendationTypeId: TYPE,
      resourceMetadata: { resourceId: PIP },
      extendedProperties: {
        recommendationSubCategory: 'ServiceUpgradeAndRetirement',
        retirementFeatureName: 'Basic SKU public IP addresses',
        retirementDate: '2025-09-30',
        ...ext,
      },
      ...props,
    },
  };
}

const hits = (...rows: unknown[]) =>
  rows.map(advisorHit).filter((h): h is AdvisorHit => !('skip' in h));

describe('the catalog', () => {
  it('keeps English ServiceUpgradeAndRetirement entries, one per recommendation type', () => {
    const catalog = catalogOfRows([
      metadata(),
      metadata({ language: 'fr' }),
      metadata({ recommendationSubCategory: 'Other' }),
    ]);
    expect(catalog).toHaveLength(1);
    expect(catalog[0]).toMatchObject({
      id: 'retirement/network-basic-sku-public-ip-addresses',
      date: '2025-09-30',
      service: 'Network',
      trackingIds: ['VT8Y-1K8'],
      origin: 'Automated',
    });
  });

  it('leaves out upgrades: a feature that is empty, N/A or null', () => {
    for (const feature of ['', 'N/A', null])
      expect(catalogOfRows([metadata({}, { retirementFeatureName: feature })])).toEqual([]);
  });

  it('makes stable ids from the service and the feature', () => {
    expect(retirementIdOf('Cache', 'Azure Cache for Redis version 4')).toBe(
      'retirement/cache-azure-cache-for-redis-version-4',
    );
    expect(retirementIdOf('Network', 'Network: Basic Load Balancer')).toBe(
      'retirement/network-basic-load-balancer',
    );
  });

  it('builds a rule whose doc page comes from the metadata', () => {
    const [entry] = catalogOfRows([metadata()]);
    const rule = dataRetirementRule(entry!);
    expect(rule.deadline).toBe('2025-09-30');
    expect(rule.docMarkdown).toContain('VT8Y-1K8');
    expect(rule.docMarkdown).toContain('https://azure.microsoft.com/updates/basic-sku');
    expect(rule.retirement?.service).toBe('Network');
  });

  it('ships a demo catalog of at least 10 retirements across at least 5 services, listed with the rules', () => {
    const data = DEFAULT_CATALOG.filter((r) => r.retirement);
    expect(data.length).toBeGreaterThanOrEqual(10);
    expect(new Set(data.map((r) => r.retirement?.service)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(BUILT_IN_DATA_RETIREMENTS.map((r) => r.origin))).toEqual(
      new Set(['Automated', 'Manual']),
    );
  });

  it('gives no rule of its own to an entry a hand-written retirement claims', () => {
    const claimed = claimedTypes(BUILT_IN_RETIREMENTS);
    const [typeId, claim] = [...claimed][0]!;
    expect(claim.ruleId).toBe('retirement/classic-vm');
    expect(BUILT_IN_DATA_RETIREMENTS.some((r) => r.recommendationTypeId === typeId)).toBe(true);
    expect(DEFAULT_CATALOG.filter((r) => r.retirement && r.title.includes('(classic)'))).toEqual(
      [],
    );
  });
});

describe('findings', () => {
  const catalog = catalogOfRows([metadata()]);

  it('one per resource and retirement from a recommendation row', () => {
    const { findings } = retirementFindings({
      catalog,
      recommendations: hits(recommendation()),
      notices: [],
      impacted: [],
      now: NOW,
    });
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'retirement/network-basic-sku-public-ip-addresses',
        resourceId: PIP,
        resourceName: 'pip-web',
        resourceType: 'microsoft.network/publicipaddresses',
        resourceGroup: 'rg-web',
        subscriptionId: SUB,
        deadline: '2025-09-30',
        urgency: 'overdue',
      }),
    ]);
  });

  it('a recommendation row alone is enough: the retirement comes from its extendedProperties', () => {
    const { findings, retirements } = retirementFindings({
      catalog: [],
      recommendations: hits(recommendation()),
      notices: [],
      impacted: [],
      now: NOW,
    });
    expect(findings).toHaveLength(1);
    expect(retirements[0]?.id).toBe('retirement/network-basic-sku-public-ip-addresses');
  });

  it('gives none for upgrades, tracked or remediated rows, or other subcategories', () => {
    expect(
      hits(
        recommendation({ retirementFeatureName: '' }),
        recommendation({ retirementFeatureName: 'N/A' }),
        recommendation({ retirementFeatureName: null }),
        recommendation({}, { tracked: { state: 'Postponed' } }),
        recommendation({}, { platformState: 'Resolved' }),
        recommendation({ recommendationSubCategory: 'Other' }),
      ),
    ).toEqual([]);
  });

  it('is one finding when Advisor and a Service Health impacted resource agree', () => {
    const notice = healthNotice({
      id: `/subscriptions/${SUB}/providers/Microsoft.ResourceHealth/events/VT8Y-1K8`,
      type: 'microsoft.resourcehealth/events',
      subscriptionId: SUB,
      properties: {
        EventType: 'HealthAdvisory',
        EventSubType: 'Retirement',
        TrackingId: 'VT8Y-1K8',
        Title: 'Basic SKU public IP addresses retire',
        ImpactMitigationTime: '2025-09-30T00:00:00Z',
        Impact: [{ ImpactedService: 'Virtual Network' }],
      },
    });
    const impact = healthImpact({
      id: `/subscriptions/${SUB}/providers/Microsoft.ResourceHealth/events/VT8Y-1K8/impactedResources/x`,
      type: 'microsoft.resourcehealth/events/impactedresources',
      properties: { targetResourceId: PIP },
    });
    if ('skip' in notice || 'skip' in impact) throw new Error('rows not read');
    const { findings } = retirementFindings({
      catalog,
      recommendations: hits(recommendation()),
      notices: [notice],
      impacted: [impact],
      now: NOW,
    });
    expect(findings.map((f) => f.ruleId)).toEqual([
      'retirement/network-basic-sku-public-ip-addresses',
    ]);
  });

  it('a notice without impacted resources is one finding on the subscription, "announced for your subscription"', () => {
    const notice = healthNotice({
      id: `/subscriptions/${SUB}/providers/Microsoft.ResourceHealth/events/ZZ11-AB2`,
      type: 'microsoft.resourcehealth/events',
      subscriptionId: SUB,
      properties: {
        EventType: 'HealthAdvisory',
        EventSubType: 'Retirement',
        TrackingId: 'ZZ11-AB2',
        Title: 'In-process model for .NET function apps',
        ImpactMitigationTime: '2026-11-10T00:00:00Z',
        Impact: [{ ImpactedService: 'Functions' }],
      },
    });
    if ('skip' in notice) throw new Error('notice not read');
    const { findings } = retirementFindings({
      catalog: [],
      recommendations: [],
      notices: [notice, notice],
      impacted: [],
      now: NOW,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'retirement/health-zz11-ab2',
      resourceId: `/subscriptions/${SUB}`,
      resourceType: 'microsoft.resources/subscriptions',
    });
    expect(findings[0]?.message).toMatch(/^Announced for your subscription/);
  });

  it('leaves a resource a hand-written retirement judges to that rule', () => {
    const vm = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/vm1`;
    const claimed = new Map([
      [
        TYPE,
        { ruleId: 'retirement/classic-vm', types: ['microsoft.classiccompute/virtualmachines'] },
      ],
    ]);
    const row = recommendation();
    row.properties.resourceMetadata.resourceId = vm;
    const { findings } = retirementFindings({
      catalog,
      recommendations: hits(row),
      notices: [],
      impacted: [],
      claimed,
      now: NOW,
    });
    expect(findings).toEqual([]);
  });
});

describe("Manual entries' queries", () => {
  it('runs a single read-only query over resources that projects the id', () => {
    expect(
      acceptManualQuery("resources | where type =~ 'microsoft.sql/servers' | project id, name"),
    ).toMatchObject({ ok: true, table: 'resources' });
  });

  it.each([
    ['', 'publishes no query'],
    ['advisorresources | project id', 'not a query over resources'],
    ['resources | join (resources) on id | project id', 'join'],
    ['resources | project id; resources | project id', 'more than one statement'],
    ["resources | where name == 'a;b' | project name", 'projecting the resource id'],
  ])('lists %j as not evaluated (%s)', (query, reason) => {
    const result = acceptManualQuery(query);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('service names', () => {
  it('keep the resource provider namespace as Microsoft spells it, ids stay lower case', () => {
    const entry = BUILT_IN_DATA_RETIREMENTS.find((r) => r.feature === 'Kubenet networking');
    expect(entry).toMatchObject({
      service: 'ContainerService',
      id: 'retirement/containerservice-kubenet-networking',
    });
  });
});
