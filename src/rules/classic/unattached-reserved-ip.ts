// classic/unattached-reserved-ip: a reserved IP not in use can be migrated on its own.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { RESERVED_IP, reservedIp } from '../views/reserved-ip.js';

export default defineRule({
  id: 'classic/unattached-reserved-ip',
  title: 'Classic reserved IP is not in use',
  severity: 'info',
  appliesTo: [RESERVED_IP],
  recommendation:
    'The reserved IP is attached to nothing: migrate it on its own, or delete it if it is no longer needed.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    const ip = reservedIp(row);
    if (ip.inUse === undefined) return notApplicable('properties.inUse is absent or not a boolean');
    if (ip.inUse) return pass;
    const address = ip.address ? ` (${ip.address})` : '';
    return fail(`Reserved IP ${row.name}${address} is not in use; it can be migrated on its own.`);
  },
});
