// classic/vm-alerts-or-autoscale: alert rules and autoscale settings on a classic VM or cloud service are dropped by the migration.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, pass } from '../define-rule.js';
import { ALERT_RULE, alertRuleTarget } from '../views/alert-rule.js';
import { AUTOSCALE_SETTING, autoscaleTarget } from '../views/autoscale-setting.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLOUD_SERVICE } from '../views/cloud-service.js';
import { labelOf, listNames } from '../views/listing.js';
import { idLookup, itemsOfRow } from '../views/lookup.js';

const SETTING_TYPES = [ALERT_RULE, AUTOSCALE_SETTING];
function addSettingByTarget(
  setting: ResourceRow,
  add: (target: string, setting: ResourceRow) => void,
): void {
  const target = setting.type === ALERT_RULE ? alertRuleTarget(setting) : autoscaleTarget(setting);
  if (target !== undefined) add(target, setting);
}

const settingsByTarget = idLookup(
  'classic/vm-alerts-or-autoscale',
  SETTING_TYPES,
  addSettingByTarget,
);

export default defineRule({
  id: 'classic/vm-alerts-or-autoscale',
  title: 'Classic VM or cloud service has alert rules or autoscale settings',
  severity: 'warning',
  appliesTo: [CLASSIC_VM, CLOUD_SERVICE],
  uses: [ALERT_RULE, AUTOSCALE_SETTING],
  recommendation:
    'The migration goes through but drops these settings: record them now and re-create the alerts and autoscale settings on the migrated resources afterwards.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row, { index }) {
    const found = itemsOfRow(settingsByTarget(index), row);
    if (found.length === 0) return pass;
    const alerts = found.filter((s) => s.type === ALERT_RULE).map((s) => labelOf(s, row));
    const autoscale = found.filter((s) => s.type !== ALERT_RULE).map((s) => labelOf(s, row));
    const parts: string[] = [];
    if (alerts.length > 0) parts.push(`alert rule(s) ${listNames(alerts)}`);
    if (autoscale.length > 0) parts.push(`autoscale setting(s) ${listNames(autoscale)}`);
    return fail(`Migration drops the ${parts.join(' and ')} that target this resource.`);
  },
});
