// classic/vnet-hdinsight: a classic VNet with HDInsight clusters cannot be migrated.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VNET, classicVnet, referencesToClassicVnets } from '../views/classic-vnet.js';
import { HDINSIGHT_CLUSTER, hdInsightVirtualNetworkIds } from '../views/hdinsight-cluster.js';
import { labelOf, listNames } from '../views/listing.js';
import { itemsOf } from '../views/lookup.js';

export default defineRule({
  id: 'classic/vnet-hdinsight',
  title: 'Classic VNet contains HDInsight clusters',
  severity: 'blocker',
  appliesTo: [CLASSIC_VNET],
  uses: [HDINSIGHT_CLUSTER],
  recommendation:
    'Not supported: move the HDInsight clusters out of the classic VNet (re-create them in an Azure Resource Manager virtual network) before migrating it.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row, { index }) {
    const byVnet = referencesToClassicVnets(
      index,
      'classic/vnet-hdinsight',
      HDINSIGHT_CLUSTER,
      hdInsightVirtualNetworkIds,
    );
    const found = itemsOf(byVnet, classicVnet(row).key);
    if (found.length === 0) return pass;
    return fail(
      `HDInsight cluster(s) ${listNames(found.map((cluster) => labelOf(cluster, row)))} run roles in this VNet; VNets with HDInsight cannot be migrated.`,
    );
  },
});
