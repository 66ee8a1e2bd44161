// The rule registry: an explicit, sorted list (no directory scan), plus the retirement pack built from data.
import type { Rule } from './define-rule.js';
import { BUILT_IN_RETIREMENTS, type Retirement } from './retirement/catalog.js';
import { retirementRules } from './retirement/retirement-rules.js';
import advisorCatalog from './retirement/advisor-catalog.json' with { type: 'json' };
import {
  catalogOfRows,
  dataRetirementRule,
  type DataRetirement,
} from './retirement/data-retirements.js';
import cloudServiceMixedAvailabilitySets from './classic/cloud-service-mixed-availability-sets.js';
import cloudServiceMultipleAvailabilitySets from './classic/cloud-service-multiple-availability-sets.js';
import rbacOnClassicResource from './classic/rbac-on-classic-resource.js';
import storageAccountHasVmDisks from './classic/storage-account-has-vm-disks.js';
import storageAccountStandalone from './classic/storage-account-standalone.js';
import unattachedReservedIp from './classic/unattached-reserved-ip.js';
import vmAlertsOrAutoscale from './classic/vm-alerts-or-autoscale.js';
import vmBackupExtension from './classic/vm-backup-extension.js';
import vmBootDiagnosticsPremium from './classic/vm-boot-diagnostics-premium.js';
import vmDefenderExtension from './classic/vm-defender-extension.js';
import vmEndpointAcl from './classic/vm-endpoint-acl.js';
import vmGuestAgentNotReady from './classic/vm-guest-agent-not-ready.js';
import vmMultipleSubnets from './classic/vm-multiple-subnets.js';
import vmOutsideVnet from './classic/vm-outside-vnet.js';
import vmRoleStateUnknown from './classic/vm-role-state-unknown.js';
import vmSiteRecoveryExtension from './classic/vm-site-recovery-extension.js';
import vmVhdNameHasSlash from './classic/vm-vhd-name-has-slash.js';
import vmVnetWithoutSubnet from './classic/vm-vnet-without-subnet.js';
import vmXmlExtensions from './classic/vm-xml-extensions.js';
import vnetApiManagement from './classic/vnet-api-management.js';
import vnetAppServiceEnvironment from './classic/vnet-app-service-environment.js';
import vnetApplicationGateway from './classic/vnet-application-gateway.js';
import vnetDynamicsLcs from './classic/vnet-dynamics-lcs.js';
import vnetExpressroute from './classic/vnet-expressroute.js';
import vnetHdinsight from './classic/vnet-hdinsight.js';
import vnetManyVms from './classic/vnet-many-vms.js';
import vnetMixedVmsAndRoles from './classic/vnet-mixed-vms-and-roles.js';
import vnetPeered from './classic/vnet-peered.js';

/** Migration rules (pack `classic`), sorted by id. */
export const CLASSIC_RULES: readonly Rule[] = Object.freeze([
  cloudServiceMixedAvailabilitySets,
  cloudServiceMultipleAvailabilitySets,
  rbacOnClassicResource,
  storageAccountHasVmDisks,
  storageAccountStandalone,
  unattachedReservedIp,
  vmAlertsOrAutoscale,
  vmBackupExtension,
  vmBootDiagnosticsPremium,
  vmDefenderExtension,
  vmEndpointAcl,
  vmGuestAgentNotReady,
  vmMultipleSubnets,
  vmOutsideVnet,
  vmRoleStateUnknown,
  vmSiteRecoveryExtension,
  vmVhdNameHasSlash,
  vmVnetWithoutSubnet,
  vmXmlExtensions,
  vnetApiManagement,
  vnetAppServiceEnvironment,
  vnetApplicationGateway,
  vnetDynamicsLcs,
  vnetExpressroute,
  vnetHdinsight,
  vnetManyVms,
  vnetMixedVmsAndRoles,
  vnetPeered,
]);

/** The bundled snapshot of Advisor's retirement catalog (a scan reads the live one over it). */
/** When the bundled snapshot of Advisor's retirement catalog was taken (YYYY-MM-DD). */
export const ADVISOR_CATALOG_TAKEN: string = advisorCatalog.taken;

export const BUILT_IN_DATA_RETIREMENTS: readonly DataRetirement[] = Object.freeze(
  catalogOfRows(advisorCatalog.rows),
);

/** Advisor recommendation types a hand-written retirement stands for: they get no rule of their own. */
export function claimedTypes(
  retirements: readonly Retirement[],
): Map<string, { ruleId: string; types: readonly string[] }> {
  const out = new Map<string, { ruleId: string; types: readonly string[] }>();
  for (const r of retirements)
    for (const t of r.advisorTypeIds ?? [])
      out.set(t.toLowerCase(), {
        ruleId: r.id,
        types: r.selector.types.map((x) => x.toLowerCase()),
      });
  return out;
}

/** Data-defined retirements as rules, less those a hand-written retirement claims or whose id it has. */
export function dataRules(
  data: readonly DataRetirement[],
  retirements: readonly Retirement[] = BUILT_IN_RETIREMENTS,
): Rule[] {
  const claimed = claimedTypes(retirements);
  const taken = new Set(retirements.map((r) => r.id));
  const out = new Map<string, Rule>();
  for (const d of data) {
    if (d.recommendationTypeId && claimed.has(d.recommendationTypeId)) continue;
    if (taken.has(d.id) || out.has(d.id)) continue;
    out.set(d.id, dataRetirementRule(d));
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The whole catalog: migration rules, one rule per retirement entry, then the data-defined retirements. */
export function buildCatalog(
  retirements: readonly Retirement[] = BUILT_IN_RETIREMENTS,
  data: readonly DataRetirement[] = BUILT_IN_DATA_RETIREMENTS,
): readonly Rule[] {
  return Object.freeze([
    ...CLASSIC_RULES,
    ...retirementRules(retirements),
    ...dataRules(data, retirements),
  ]);
}

export const DEFAULT_CATALOG: readonly Rule[] = buildCatalog();
