// classic/vm-role-state-unknown: a VM in RoleStateUnknown fails validation until its state is known again.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';

const ROLE_STATE_UNKNOWN = /^\s*rolestateunknown\s*$/i;

export default defineRule({
  id: 'classic/vm-role-state-unknown',
  title: 'Classic VM role state is unknown',
  severity: 'warning',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'This is usually transient: validate again in a few minutes. If the state persists, restart the VM.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
  ],
  evaluate(row) {
    const status = classicVm(row).roleStatus;
    if (status === undefined || !ROLE_STATE_UNKNOWN.test(status)) return pass;
    return fail(
      `The VM's role state is ${status}; migration operations fail until the platform knows its state.`,
    );
  },
});
