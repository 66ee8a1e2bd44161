// A compact migration plan per subscription, computed at scan time (the plan needs the rows and the reference index,
// which only exist while a scan runs) and stored on the subscription's record, so the dashboard shows the plan
// without a scan index: how many units, how many ready, and the first units in the plan's order.
import type { MigrationPlan, MigrationScope, MigrationUnit } from './migration-plan.js';
import { count } from '../rules/views/listing.js';

const TYPE_NOUN: Record<string, [string, string]> = {
  'microsoft.classiccompute/virtualmachines': ['VM', 'VMs'],
  'microsoft.classiccompute/domainnames': ['cloud service', 'cloud services'],
  'microsoft.classicnetwork/virtualnetworks': ['virtual network', 'virtual networks'],
  'microsoft.classicstorage/storageaccounts': ['storage account', 'storage accounts'],
  'microsoft.classicnetwork/reservedips': ['reserved IP', 'reserved IPs'],
  'microsoft.classicnetwork/networksecuritygroups': [
    'network security group',
    'network security groups',
  ],
};

/** What moves with a unit, in words: "1 virtual network, 9 cloud services, 401 VMs". */
export function unitContents(resources: MigrationUnit['resources']): string {
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  return [...byType]
    .map(([type, n]) => {
      const [one, many] = TYPE_NOUN[type] ?? [type, type];
      return count(n, one, many);
    })
    .join(', ');
}

export type UnitState = 'ready' | 'blocked' | 'waits';

export function unitState(unit: MigrationUnit): UnitState {
  return unit.ready ? 'ready' : unit.blockers.length > 0 ? 'blocked' : 'waits';
}

export interface PlanUnitSummary {
  readonly order: number;
  readonly name: string;
  readonly scope: MigrationScope;
  readonly resourceGroup: string;
  readonly state: UnitState;
  readonly contents: string;
  readonly blockers: number;
  /** The rules that block it (at most 5). */
  readonly blockerRules: readonly string[];
}

export interface PlanSummary {
  readonly units: number;
  readonly ready: number;
  readonly blocked: number;
  /** Classic resources the plan could not place (no properties: their network is unknown). */
  readonly undecided: number;
  /** The units to look at first (at most `max`): blocked ones, most blockers first, then waiting, then ready. */
  readonly first: readonly PlanUnitSummary[];
}

export const PLAN_SUMMARY_UNITS = 10;

const STATE_RANK: Record<UnitState, number> = { blocked: 0, waits: 1, ready: 2 };

export function summarizePlan(plan: MigrationPlan, max = PLAN_SUMMARY_UNITS): PlanSummary {
  return {
    units: plan.units.length,
    ready: plan.units.filter((u) => u.ready).length,
    blocked: plan.units.filter((u) => !u.ready && u.blockers.length > 0).length,
    undecided: plan.undecided.length,
    first: [...plan.units]
      .sort(
        (a, b) =>
          STATE_RANK[unitState(a)] - STATE_RANK[unitState(b)] ||
          b.blockers.length - a.blockers.length ||
          a.order - b.order,
      )
      .slice(0, max)
      .map((u) => ({
        order: u.order,
        name: u.name,
        scope: u.scope,
        resourceGroup: u.resourceGroup,
        state: unitState(u),
        contents: unitContents(u.resources),
        blockers: u.blockers.length,
        blockerRules: [...new Set(u.blockers.map((b) => b.ruleId))].sort().slice(0, 5),
      })),
  };
}
