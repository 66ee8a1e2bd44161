// classic/vnet-application-gateway (manual): classic Application Gateways are not in Resource Graph, so every classic VNet gets a "check by hand" finding.
import { defineRule, fail } from '../define-rule.js';
import { CLASSIC_VNET } from '../views/classic-vnet.js';

export default defineRule({
  id: 'classic/vnet-application-gateway',
  title: 'Classic VNet may have an Application Gateway',
  severity: 'info',
  appliesTo: [CLASSIC_VNET],
  manual: true,
  recommendation:
    'Classic Application Gateways are not in Resource Graph: check by hand whether this VNet has one. If it does, remove the Application Gateway before the migration and re-create it afterwards.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    return fail(
      `Check by hand whether VNet ${row.name} has a classic Application Gateway: classic Application Gateways are not in Resource Graph, and one must be removed before the migration and re-created afterwards.`,
    );
  },
});
