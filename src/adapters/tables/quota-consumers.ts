// The processes spending the app identity's Resource Graph quota, in `{prefix}Quota`: one row per consumer with the
// time it counts until (see src/adapters/resource-graph/shared-quota.ts). A row is renewed every second while its
// worker spends the quota; a worker that died stops counting when its row expires, and the next beat removes it.
import type { TableClient } from '@azure/data-tables';
import type { ConsumerBeat, ConsumersNow, QuotaConsumers } from '../resource-graph/shared-quota.js';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';

const PARTITION = 'resource-graph';

interface ConsumerEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  /** Milliseconds since the epoch. */
  readonly until: number;
  /** The largest window (requests) the consumer has seen; absent before its first answer. */
  readonly limit?: number;
  /** When it believes the current window ends (ms since the epoch). */
  readonly windowEndsAt?: number;
}

export class TableQuotaConsumers implements QuotaConsumers {
  private readonly table: TableClient;
  private readonly ready: () => Promise<void>;

  constructor(options: TablesOptions) {
    this.table = tableClient(options, 'Quota');
    this.ready = tablesReady([this.table]);
  }

  async beat(id: string, beat: ConsumerBeat, now: number): Promise<ConsumersNow> {
    await this.ready();
    await this.table.upsertEntity<ConsumerEntity>(
      {
        partitionKey: PARTITION,
        rowKey: id,
        until: beat.until,
        ...(beat.limit !== undefined ? { limit: beat.limit } : {}),
        ...(beat.windowEndsAt !== undefined ? { windowEndsAt: beat.windowEndsAt } : {}),
      },
      'Replace',
    );
    let count = 0;
    let largest: number | undefined;
    let windowEndsAt: number | undefined;
    const expired: string[] = [];
    for await (const row of this.table.listEntities<ConsumerEntity>({
      queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
    })) {
      if (row.rowKey === id || Number(row.until) > now) {
        count++;
        const seen = Number(row.limit);
        if (Number.isFinite(seen) && seen >= 1) largest = Math.max(largest ?? 0, seen);
        const ends = Number(row.windowEndsAt);
        if (Number.isFinite(ends) && ends > now) windowEndsAt = Math.max(windowEndsAt ?? 0, ends);
      } else if (row.rowKey) expired.push(row.rowKey);
    }
    // Rows of workers that died: gone for the next reader (another beat may have removed them first).
    await Promise.all(expired.map((rowKey) => this.remove(rowKey)));
    return { count, limit: largest, windowEndsAt };
  }

  async leave(id: string): Promise<void> {
    await this.ready();
    await this.remove(id);
  }

  private async remove(rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(PARTITION, rowKey);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}
