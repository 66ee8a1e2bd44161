// classic/vnet-api-management: a classic VNet with an API Management deployment cannot be migrated.
import { defineRule, fail, pass } from '../define-rule.js';
import { API_MANAGEMENT, apiManagementVirtualNetworkIds } from '../views/api-management.js';
import { CLASSIC_VNET, classicVnet, referencesToClassicVnets } from '../views/classic-vnet.js';
import { labelOf, listNames } from '../views/listing.js';
import { itemsOf } from '../views/lookup.js';

export default defineRule({
  id: 'classic/vnet-api-management',
  title: 'Classic VNet contains an API Management deployment',
  severity: 'blocker',
  appliesTo: [CLASSIC_VNET],
  uses: [API_MANAGEMENT],
  recommendation:
    'Move the API Management service to another virtual network (a no-downtime operation), then migrate the classic VNet.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row, { index }) {
    const byVnet = referencesToClassicVnets(
      index,
      'classic/vnet-api-management',
      API_MANAGEMENT,
      apiManagementVirtualNetworkIds,
    );
    const found = itemsOf(byVnet, classicVnet(row).key);
    if (found.length === 0) return pass;
    return fail(
      `API Management service(s) ${listNames(found.map((service) => labelOf(service, row)))} are deployed in this VNet; move them to another VNet first.`,
    );
  },
});
