// classic/vm-endpoint-acl: endpoint ACLs make the platform validation of a classic VM fail.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';

export default defineRule({
  id: 'classic/vm-endpoint-acl',
  title: 'Classic VM has endpoint ACLs',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Remove the endpoint ACLs, validate again, and re-create them as network security group rules after the migration.',
  links: ['https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors'],
  evaluate(row) {
    const withAcl = classicVm(row).inputEndpoints.filter((e) => e.aclRules > 0);
    if (withAcl.length === 0) return pass;
    const names = withAcl.map((e) => e.name ?? '(unnamed)').join(', ');
    return fail(`Input endpoint(s) ${names} have ACL rules; endpoint ACLs block the migration.`);
  },
});
