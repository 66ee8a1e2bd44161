// How the processes spending the app identity's Resource Graph quota share each window, in `{prefix}Quota`: one
// entity holding every consumer's entry (see src/adapters/resource-graph/shared-quota.ts), changed only under its
// ETag (optimistic concurrency), so that two consumers raising their claims at once cannot both take the same room.
// https://learn.microsoft.com/rest/api/storageservices/update-entity2 (If-Match; 412 when another change went first)
import type { TableClient } from '@azure/data-tables';
import type { ConsumerEntry, QuotaAllocation } from '../resource-graph/shared-quota.js';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';

const PARTITION = 'resource-graph';
const ROW = 'allocation';
/** Attempts before giving up (each 409/412 means another consumer's change went first). */
const ATTEMPTS = 20;

interface AllocationEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  /** JSON: consumer id → ConsumerEntry. */
  readonly consumers: string;
}

type Entries = Map<string, ConsumerEntry>;

function parse(text: string | undefined): Entries {
  if (!text) return new Map();
  try {
    const value = JSON.parse(text) as Record<string, ConsumerEntry>;
    return new Map(Object.entries(value));
  } catch {
    // A damaged entity is replaced: the consumers write their entries again within a second.
    return new Map();
  }
}

export class TableQuotaAllocation implements QuotaAllocation {
  private readonly table: TableClient;
  private readonly ready: () => Promise<void>;

  constructor(options: TablesOptions) {
    this.table = tableClient(options, 'Quota');
    this.ready = tablesReady([this.table]);
  }

  async update(
    id: string,
    decide: (
      others: ReadonlyMap<string, ConsumerEntry>,
      mine: ConsumerEntry | undefined,
    ) => ConsumerEntry,
    now: number,
  ): Promise<{ others: ReadonlyMap<string, ConsumerEntry>; mine: ConsumerEntry }> {
    return this.change(now, (entries) => {
      const mine = entries.get(id);
      entries.delete(id);
      const next = decide(entries, mine);
      const others = new Map(entries);
      entries.set(id, next);
      return { others, mine: next };
    });
  }

  async leave(id: string): Promise<void> {
    await this.change(Date.now(), (entries) => {
      entries.delete(id);
    });
  }

  /** Reads the entity, drops expired entries, applies `edit`, writes under the ETag read; again on a conflict. */
  private async change<T>(now: number, edit: (entries: Entries) => T): Promise<T> {
    await this.ready();
    for (let attempt = 1; ; attempt++) {
      let etag: string | undefined;
      let entries: Entries;
      try {
        const entity = await this.table.getEntity<AllocationEntity>(PARTITION, ROW);
        etag = entity.etag;
        entries = parse(entity.consumers);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        entries = new Map();
      }
      for (const [key, entry] of entries) if (!(Number(entry.until) > now)) entries.delete(key);
      const result = edit(entries);
      const entity: AllocationEntity = {
        partitionKey: PARTITION,
        rowKey: ROW,
        consumers: JSON.stringify(Object.fromEntries(entries)),
      };
      try {
        if (etag === undefined) await this.table.createEntity(entity);
        else await this.table.updateEntity(entity, 'Replace', { etag });
        return result;
      } catch (error) {
        const status = statusOf(error);
        if ((status !== 409 && status !== 412) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
