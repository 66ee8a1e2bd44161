// classic/vm-guest-agent-not-ready: extensions on a VM whose guest agent is unhealthy make the migration fail.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, extensionLabel } from '../views/classic-vm.js';
import { count, listNames } from '../views/listing.js';

const READY = /^\s*ready\s*$/i;

export default defineRule({
  id: 'classic/vm-guest-agent-not-ready',
  title: 'Classic VM has extensions but its guest agent is not Ready',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Restore the guest agent (the VM needs outbound internet access and working DNS so the agent can report), or uninstall the extensions, then validate again.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-faq',
  ],
  evaluate(row) {
    const vm = classicVm(row);
    if (vm.extensions.length === 0) return notApplicable('the VM has no extensions');
    const status = vm.guestAgentStatus;
    if (status === undefined) return notApplicable('the guest agent status is not reported');
    if (READY.test(status)) return pass;
    return fail(
      `The guest agent status is ${status}, not Ready, and the VM has ${count(vm.extensions.length, 'extension')} (${listNames(vm.extensions.map(extensionLabel))}); the migration cannot read their state.`,
    );
  },
});
