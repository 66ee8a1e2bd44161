// classic/vm-endpoint-acl: endpoint ACLs make the platform validation of a classic VM fail.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, type InputEndpoint } from '../views/classic-vm.js';
import { matching } from '../views/values.js';

const hasAcl = (e: InputEndpoint): boolean => e.aclRules > 0;

export default defineRule({
  id: 'classic/vm-endpoint-acl',
  title: 'Classic VM has endpoint ACLs',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Remove the endpoint ACLs, validate again, and re-create them as network security group rules after the migration.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    const withAcl = matching(classicVm(row).inputEndpoints, hasAcl);
    if (withAcl.length === 0) return pass;
    const names = withAcl.map((e) => e.name ?? '(unnamed)').join(', ');
    return fail(`Input endpoint(s) ${names} have ACL rules; endpoint ACLs block the migration.`);
  },
});
