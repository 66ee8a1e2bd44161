// Typed view of an HDInsight cluster (microsoft.hdinsight/clusters): the VNets its roles run in.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, isRecord, list, text } from './values.js';

export const HDINSIGHT_CLUSTER = 'microsoft.hdinsight/clusters';

// Field paths (rules.md, `classic/vnet-hdinsight`).
export const PATH = {
  roles: 'computeProfile.roles',
  roleVirtualNetworkId: 'virtualNetworkProfile.id',
} as const;

const P = compilePaths(PATH);

export function hdInsightVirtualNetworkIds(row: ResourceRow): readonly (string | undefined)[] {
  const ids: (string | undefined)[] = [];
  for (const role of list(at(row.properties, P.roles)) ?? []) {
    if (isRecord(role)) ids.push(text(at(role, P.roleVirtualNetworkId)));
  }
  return ids;
}
