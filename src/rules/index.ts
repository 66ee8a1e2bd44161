// The rule registry: an explicit, sorted list (no directory scan), plus the retirement pack built from data.
import type { Rule } from './define-rule.js';
import { BUILT_IN_RETIREMENTS, type Retirement } from './retirement/catalog.js';
import { retirementRules } from './retirement/retirement-rules.js';
import vmEndpointAcl from './classic/vm-endpoint-acl.js';

/** Migration rules (pack `classic`), sorted by id. */
export const CLASSIC_RULES: readonly Rule[] = Object.freeze([vmEndpointAcl]);

/** The whole catalog: migration rules, then one rule per retirement entry. */
export function buildCatalog(retirements: readonly Retirement[] = BUILT_IN_RETIREMENTS): readonly Rule[] {
  return Object.freeze([...CLASSIC_RULES, ...retirementRules(retirements)]);
}

export const DEFAULT_CATALOG: readonly Rule[] = buildCatalog();
