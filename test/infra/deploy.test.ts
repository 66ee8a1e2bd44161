// What infra/main.bicep asks of the deployment beyond the app settings: where it may go, who gets mailed by the
// alerts, and which roles the app's identity gets (only those a setting needs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const MAIN = read('infra/main.bicep');

/**
 * The location list of Microsoft's Flex Consumption azd template, Azure-Samples/functions-quickstart-typescript-azd,
 * infra/main.bicep at commit cba392291ff7b6c994548aabaa8c06eb4055be54 (2026-02-24).
 */
const FLEX_CONSUMPTION_TEMPLATE_REGIONS = [
  'australiaeast',
  'australiasoutheast',
  'brazilsouth',
  'canadacentral',
  'centralindia',
  'centralus',
  'eastasia',
  'eastus',
  'eastus2',
  'eastus2euap',
  'francecentral',
  'germanywestcentral',
  'italynorth',
  'japaneast',
  'koreacentral',
  'northcentralus',
  'northeurope',
  'norwayeast',
  'southafricanorth',
  'southcentralus',
  'southeastasia',
  'southindia',
  'spaincentral',
  'swedencentral',
  'uaenorth',
  'uksouth',
  'ukwest',
  'westcentralus',
  'westeurope',
  'westus',
  'westus2',
  'westus3',
];

describe('location', () => {
  it("allows only the regions Microsoft's Flex Consumption templates allow, and azd prompts from them", () => {
    const block = /((?:^@[\s\S]*?\n)+)param location string$/m.exec(MAIN)?.[1] ?? '';
    const allowed = /@allowed\(\[([^\]]*)\]\)/.exec(block)?.[1];
    expect(allowed, '@allowed on param location').toBeDefined();
    const regions = [...(allowed ?? '').matchAll(/'([a-z0-9]+)'/g)].map((match) => match[1]);
    expect(regions).toEqual(FLEX_CONSUMPTION_TEMPLATE_REGIONS);
    expect(block).toMatch(/@metadata\(\{\s*azd: \{\s*type: 'location'\s*\}\s*\}\)/);
  });
});

describe('operator addresses for the alerts', () => {
  it('are split on commas and semicolons, trimmed, empties dropped, as the app splits them', () => {
    expect(MAIN).toContain(
      "var operatorEmailList = filter(map(split(replace(operatorRecipients, ';', ','), ','), address => trim(address)), address => !empty(address))",
    );
    expect(MAIN).toMatch(/^\s+operatorEmails: operatorEmailList$/m);
    expect(MAIN).not.toMatch(/operatorEmails: .*split\(/);
  });
});

/** Which setting (or platform feature) needs each role the app's identity gets. */
const ROLE_NEEDED_BY: Record<string, { id: string; neededBy: string[] }> = {
  storageBlobDataOwner: {
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    neededBy: ['AzureWebJobsStorage__blobServiceUri', 'functionAppConfig.deployment'],
  },
  storageTableDataContributor: {
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    neededBy: ['TABLES_ENDPOINT'],
  },
  storageQueueDataContributor: {
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    neededBy: ['SCAN_QUEUE_ENDPOINT', 'AzureWebJobsStorage__queueServiceUri'],
  },
  monitoringMetricsPublisher: {
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    neededBy: ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'],
  },
  communicationAndEmailServiceOwner: {
    id: '09976791-48a7-449e-bb21-39d1a415f350',
    neededBy: ['COMMUNICATION_SERVICES_ENDPOINT'],
  },
};

describe('roles', () => {
  const roles = new Map(
    [
      ...(/^var roles = \{\n([\s\S]*?)\n\}$/m.exec(MAIN)?.[1] ?? '').matchAll(
        /^ {2}(\w+): '([0-9a-f-]{36})'$/gm,
      ),
    ].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  /** The roles granted to the app's identity: the roleDefinitionIds of modules whose principal is the identity. */
  const granted = [
    ...MAIN.matchAll(
      /principalId: identity\.outputs\.principalId\n\s+roleDefinitionIds: \[([^\]]*)\]/g,
    ),
  ].flatMap((match) =>
    [...(match[1] ?? '').matchAll(/roles\.(\w+)/g)].map((role) => role[1] ?? ''),
  );

  it('grants the identity only roles a setting needs, with their built-in ids', () => {
    expect(granted.sort()).toEqual(Object.keys(ROLE_NEEDED_BY).sort());
    for (const [name, { id }] of Object.entries(ROLE_NEEDED_BY))
      expect(roles.get(name), name).toBe(id);
  });

  it('grants Storage Queue Data Contributor for the scan queue, and creates the queue and its poison queue', () => {
    expect(granted).toContain('storageQueueDataContributor');
    const storage = read('infra/modules/storage.bicep');
    expect(storage).toMatch(/Microsoft\.Storage\/storageAccounts\/queueServices\/queues@/);
    expect(storage).toContain("'${scanQueueName}-poison'");
    expect(MAIN).toMatch(/^\s+SCAN_QUEUE_ENDPOINT: storage\.outputs\.queueEndpoint$/m);
    expect(MAIN).toMatch(/^\s+SCAN_QUEUE_NAME: scanQueueName$/m);
  });

  it('says next to each role which setting needs it', () => {
    const block = /^var roles = \{\n([\s\S]*?)\n\}$/m.exec(MAIN)?.[1] ?? '';
    for (const [name, { neededBy }] of Object.entries(ROLE_NEEDED_BY)) {
      const comment = new RegExp(`((?:^ {2}//.*\\n)+) {2}${name}:`, 'm').exec(block)?.[1] ?? '';
      expect(comment, name).toContain(neededBy[0]);
    }
  });

  it('keeps the built-in Communication Services role with a note saying why, not a guessed custom role', () => {
    expect(MAIN).toContain('MicrosoftDocs/azure-docs#109461');
    expect(MAIN).toContain('listKeys action');
    expect(MAIN).not.toMatch(/Microsoft\.Authorization\/roleDefinitions@/);
  });

  it('names the role of each setting in the README', () => {
    const readme = read('README.md');
    for (const text of [
      'Storage Blob Data Owner',
      'Storage Table Data Contributor',
      'Storage Queue Data Contributor',
      'Monitoring Metrics Publisher',
      'Communication and Email Service Owner',
    ]) {
      expect(readme.includes(text), text).toBe(true);
    }
  });
});
