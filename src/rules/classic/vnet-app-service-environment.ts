// classic/vnet-app-service-environment: a classic VNet with an App Service Environment cannot be migrated.
import { defineRule, fail, pass } from '../define-rule.js';
import { APP_SERVICE_ENVIRONMENT, aseVirtualNetworkIds } from '../views/app-service-environment.js';
import { CLASSIC_VNET, classicVnet, referencesToClassicVnets } from '../views/classic-vnet.js';
import { labelOf, listNames } from '../views/listing.js';
import { itemsOf } from '../views/lookup.js';

export default defineRule({
  id: 'classic/vnet-app-service-environment',
  title: 'Classic VNet contains an App Service Environment',
  severity: 'blocker',
  appliesTo: [CLASSIC_VNET],
  uses: [APP_SERVICE_ENVIRONMENT],
  recommendation:
    'Not supported: rebuild the App Service Environment in an Azure Resource Manager virtual network, remove it from the classic VNet, then migrate the VNet.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row, { index }) {
    const byVnet = referencesToClassicVnets(
      index,
      'classic/vnet-app-service-environment',
      APP_SERVICE_ENVIRONMENT,
      aseVirtualNetworkIds,
    );
    const found = itemsOf(byVnet, classicVnet(row).key);
    if (found.length === 0) return pass;
    return fail(
      `App Service Environment(s) ${listNames(found.map((ase) => labelOf(ase, row)))} are deployed in this VNet; VNets with an App Service Environment cannot be migrated.`,
    );
  },
});
