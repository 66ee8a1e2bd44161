// classic/vm-xml-extensions: XML extensions (BGInfo 1.*, Visual Studio debugger, Web Deploy) are dropped by the migration.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, extensionLabel, type VmExtension } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';
import { matching } from '../views/values.js';

// Surrounding spaces are allowed by the patterns themselves: no trimmed copies per extension.
const BGINFO = /^\s*bginfo\s*$/i;
const VERSION_1 = /^\s*1(?:\.|\s*$)/;
const VISUAL_STUDIO_PUBLISHER = /^\s*microsoft\.visualstudio/i;
const WEB_DEPLOY = /^\s*webdeployforvsdevtest\s*$/i;

function isXmlExtension(e: VmExtension): boolean {
  const name = e.extension;
  if (name !== undefined && BGINFO.test(name)) {
    return e.version !== undefined && VERSION_1.test(e.version);
  }
  if (name !== undefined && WEB_DEPLOY.test(name)) return true;
  return e.publisher !== undefined && VISUAL_STUDIO_PUBLISHER.test(e.publisher);
}

export default defineRule({
  id: 'classic/vm-xml-extensions',
  title: 'Classic VM has XML extensions that the migration drops',
  severity: 'warning',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Remove the XML extensions (BGInfo 1.*, Visual Studio debugger, remote debugging, Web Deploy) before migrating, or they are dropped during the migration; install the current extensions afterwards if you still need them.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    const found = matching(classicVm(row).extensions, isXmlExtension);
    if (found.length === 0) return pass;
    const described = found.map((e) =>
      e.version ? `${extensionLabel(e)} ${e.version}` : extensionLabel(e),
    );
    return fail(
      `XML extension(s) ${listNames(described)} are not supported and will be dropped by the migration.`,
    );
  },
});
