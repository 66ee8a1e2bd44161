// The digest ledger in Table Storage: per recipient, what they were told (one partition each), the pending send, the mail log.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { DigestLedger, PendingDigest, SentMail } from '../../app/ports.js';
import type { LedgerEntry } from '../../core/digest.js';
import type { Urgency } from '../../core/urgency.js';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';
import { encodeKey } from './keys.js';

const PENDING = '~pending';
// A string property holds 64 KiB of UTF-16: at most 32K characters.
const CHUNK = 30_000;

export type DigestLedgerOptions = TablesOptions;

export class TableDigestLedger implements DigestLedger {
  private readonly ledger: TableClient;
  private readonly mail: TableClient;

  constructor(options: DigestLedgerOptions) {
    this.ledger = tableClient(options, 'Ledger');
    this.mail = tableClient(options, 'Mail');
    this.init = tablesReady([this.ledger, this.mail]);
  }

  private readonly init: () => Promise<void>;

  async loadLedger(recipient: string): Promise<Map<string, LedgerEntry>> {
    await this.init();
    const out = new Map<string, LedgerEntry>();
    for await (const e of this.ledger.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${encodeKey(recipient)}` },
    })) {
      if (e.rowKey === PENDING || typeof e.key !== 'string') continue;
      out.set(e.key, {
        key: e.key,
        stage: typeof e.stage === 'string' && e.stage ? (e.stage as Urgency) : undefined,
      });
    }
    return out;
  }

  async loadPending(recipient: string): Promise<PendingDigest | undefined> {
    await this.init();
    try {
      const e = await this.ledger.getEntity<Record<string, unknown>>(encodeKey(recipient), PENDING);
      let itemsJson = '';
      for (let i = 0; typeof e[`items${i}`] === 'string'; i++)
        itemsJson += e[`items${i}`] as string;
      return {
        operationId: String(e.operationId),
        createdAt: String(e.createdAt),
        attempts: Number(e.attempts ?? 0),
        items: itemsJson ? (JSON.parse(itemsJson) as PendingDigest['items']) : [],
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async savePending(recipient: string, pending: PendingDigest): Promise<void> {
    await this.init();
    const json = JSON.stringify(pending.items);
    // A string property holds at most 64 KiB: the item list is split across properties.
    const chunks: Record<string, string> = {};
    for (let i = 0; i * CHUNK < json.length; i++)
      chunks[`items${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
    await this.ledger.upsertEntity(
      {
        partitionKey: encodeKey(recipient),
        rowKey: PENDING,
        operationId: pending.operationId,
        createdAt: pending.createdAt,
        attempts: pending.attempts,
        ...chunks,
      },
      'Replace',
    );
  }

  async dropPending(recipient: string): Promise<void> {
    await this.init();
    await this.ledger.deleteEntity(encodeKey(recipient), PENDING).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
  }

  async commit(
    recipient: string,
    changes: { upserts: readonly LedgerEntry[]; deletes: readonly string[] },
    mail: SentMail,
  ): Promise<void> {
    await this.init();
    const partitionKey = encodeKey(recipient);
    const actions: TransactionAction[] = [
      ...changes.upserts.map((u): TransactionAction => [
        'upsert',
        { partitionKey, rowKey: encodeKey(u.key), key: u.key, stage: u.stage ?? '' },
        'Replace',
      ]),
      ...changes.deletes.map((key): TransactionAction => [
        'delete',
        { partitionKey, rowKey: encodeKey(key) },
      ]),
    ];
    // Log first: a crash after it leaves the pending entry, and the resend is deduplicated by the service.
    await this.mail.upsertEntity(
      {
        partitionKey: mail.sentAt.slice(0, 10),
        rowKey: `${mail.sentAt}-${mail.operationId}`,
        ...mail,
      },
      'Replace',
    );
    for (let i = 0; i < actions.length; i += 100) {
      const chunk = actions.slice(i, i + 100);
      try {
        await this.ledger.submitTransaction(chunk);
      } catch (error) {
        // A delete of an entry already gone fails the batch: apply this chunk one by one instead.
        if (statusOf(error) !== 404) throw error;
        for (const action of chunk) {
          if (action[0] === 'delete') {
            await this.ledger
              .deleteEntity(action[1].partitionKey as string, action[1].rowKey as string)
              .catch((e: unknown) => {
                if (statusOf(e) !== 404) throw e;
              });
          } else {
            await this.ledger.upsertEntity(action[1], 'Replace');
          }
        }
      }
    }
    await this.dropPending(recipient);
  }

  async sentSince(since: Date): Promise<number> {
    await this.init();
    let count = 0;
    const days = new Set([since.toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)]);
    for (const day of days) {
      for await (const _ of this.mail.listEntities({
        queryOptions: {
          filter: odata`PartitionKey eq ${day} and sentAt ge ${since.toISOString()}`,
          select: ['sentAt'],
        },
      })) {
        count++;
      }
    }
    return count;
  }
}
