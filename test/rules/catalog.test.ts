// The whole catalog over one small hand-made subscription in which every migration rule fires at least once.
import { describe, expect, it } from 'vitest';
import { evaluate, RuleSet } from '../../src/core/engine.js';
import { compareFindings, type Finding } from '../../src/core/finding.js';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { CLASSIC_RULES, DEFAULT_CATALOG } from '../../src/rules/index.js';
import { references, subscription } from './sample-subscription.js';

const NOW = new Date('2026-11-26T00:00:00Z');

function parse(raws: readonly Record<string, unknown>[]): ResourceRow[] {
  return raws.map((raw) => {
    const parsed = toResourceRow(raw);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.row;
  });
}

const keyOf = (f: Finding) => `${f.ruleId} ${f.resourceName}`;

describe('the default catalog over a hand-made subscription', () => {
  const rows = parse(subscription());
  const refs = parse(references());

  it('fires every migration and retirement rule at least once, with no rule errors', () => {
    const { findings, ruleErrors, evaluated } = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      references: buildScanIndex(refs),
    });
    expect(ruleErrors).toEqual([]);
    expect(evaluated).toBe(rows.length);
    const fired = new Set(findings.map((f) => f.ruleId));
    // Data-defined retirements are decided by the retirement sources (test/rules/retirement/data-retirements.test.ts).
    const engineRules = DEFAULT_CATALOG.filter((r) => r.appliesTo.length > 0);
    expect(engineRules.map((r) => r.id).filter((id) => !fired.has(id))).toEqual([]);
  });

  it('puts each finding on the resource the rule is about', () => {
    const { findings } = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      references: buildScanIndex(refs),
    });
    const keys = new Set(findings.filter((f) => f.ruleId.startsWith('classic/')).map(keyOf));
    const expected = [
      'classic/cloud-service-mixed-availability-sets cs-mixed',
      'classic/cloud-service-multiple-availability-sets cs-app',
      'classic/rbac-on-classic-resource vm-web-2',
      'classic/storage-account-has-vm-disks sadisks',
      'classic/storage-account-standalone saarchive',
      'classic/storage-account-standalone sapremium',
      'classic/unattached-reserved-ip rip-spare',
      'classic/vm-alerts-or-autoscale cs-paas',
      'classic/vm-alerts-or-autoscale vm-web-1',
      'classic/vm-backup-extension vm-web-1',
      'classic/vm-boot-diagnostics-premium vm-web-1',
      'classic/vm-defender-extension vm-web-1',
      'classic/vm-endpoint-acl vm-web-1',
      'classic/vm-guest-agent-not-ready vm-web-1',
      'classic/vm-multiple-subnets vm-web-1',
      'classic/vm-outside-vnet vm-mixed-1',
      'classic/vm-outside-vnet vm-mixed-2',
      'classic/vm-role-state-unknown vm-web-1',
      'classic/vm-site-recovery-extension vm-web-1',
      'classic/vm-vhd-name-has-slash vm-web-1',
      'classic/vm-vnet-without-subnet vm-web-3',
      'classic/vm-xml-extensions vm-web-1',
      'classic/vnet-api-management vnet-app',
      'classic/vnet-app-service-environment vnet-app',
      'classic/vnet-hdinsight vnet-app',
      'classic/vnet-many-vms vnet-big',
      'classic/vnet-mixed-vms-and-roles vnet-app',
      'classic/vnet-peered vnet-app',
    ];
    for (const key of expected) expect(keys, key).toContain(key);
    for (const manual of CLASSIC_RULES.filter((r) => r.manual)) {
      expect(keys).toContain(`${manual.id} vnet-app`);
      expect(keys).toContain(`${manual.id} vnet-big`);
    }
    const unexpected = [...keys].filter(
      (k) => !expected.includes(k) && !CLASSIC_RULES.some((r) => r.manual && k.startsWith(r.id)),
    );
    expect(unexpected).toEqual([]);
  });

  it('finds the same whether reference rows are a base index or rows of the scan', () => {
    const targets = new Set(new RuleSet(DEFAULT_CATALOG).targetTypes());
    expect(
      refs.every((r) => !targets.has(r.type)),
      'reference rows are of non-target types',
    ).toBe(true);
    const layered = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      references: buildScanIndex(refs),
    });
    const flat = evaluate([...rows, ...refs], { rules: DEFAULT_CATALOG, now: NOW });
    expect(layered.findings.sort(compareFindings)).toEqual(flat.findings.sort(compareFindings));
  });

  it('is deterministic across evaluations of the same rows', () => {
    const first = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      references: buildScanIndex(refs),
    });
    const second = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: NOW,
      references: buildScanIndex(refs),
    });
    expect(second.findings).toEqual(first.findings);
  });
});
