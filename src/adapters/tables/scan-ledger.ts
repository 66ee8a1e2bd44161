// The plan and ledger of scans run as batches, in `{prefix}Plans` (one partition per scan): JSON documents split in
// chunks (Table Storage caps a string property at 64 KiB and an entity at 1 MiB), and one ledger entity that changes
// only under its ETag (optimistic concurrency), so each batch counts once and exactly one worker closes the scan.
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
import { odata, type TableClient } from '@azure/data-tables';
import type { BatchReport, LedgerState, ScanLedger } from '../../app/ports.js';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';

/** Characters per chunk: 30,000 UTF-16 code units stay under the 64 KiB property limit. */
const CHUNK = 30_000;
/** Optimistic-concurrency attempts before giving up (each 412 means another worker's change went first). */
const ATTEMPTS = 50;

const LEDGER = 'ledger';

function docRow(name: string, i: number): string {
  return `doc-${name}-${String(i).padStart(6, '0')}`;
}

interface LedgerEntity extends LedgerState {
  readonly etag: string;
}

export class TableScanLedger implements ScanLedger {
  private readonly plans: TableClient;
  private readonly ready: () => Promise<void>;

  constructor(options: TablesOptions) {
    this.plans = tableClient(options, 'Plans');
    this.ready = tablesReady([this.plans]);
  }

  async putDocument(scanId: string, name: string, value: unknown): Promise<void> {
    await this.ready();
    const text = JSON.stringify(value);
    const chunks = Math.max(1, Math.ceil(text.length / CHUNK));
    // The chunks first, the head (with the count) last: a half-written document reads as absent.
    for (let i = 0; i < chunks; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, chunks - i) }, (_, k) =>
          this.plans.upsertEntity(
            {
              partitionKey: scanId,
              rowKey: docRow(name, i + k + 1),
              part: text.slice((i + k) * CHUNK, (i + k + 1) * CHUNK),
            },
            'Replace',
          ),
        ),
      );
    }
    await this.plans.upsertEntity(
      { partitionKey: scanId, rowKey: docRow(name, 0), chunks },
      'Replace',
    );
  }

  async getDocument<T>(scanId: string, name: string): Promise<T | undefined> {
    await this.ready();
    let chunks: number;
    try {
      const head = await this.plans.getEntity<{ chunks: number }>(scanId, docRow(name, 0));
      chunks = head.chunks;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    const parts: string[] = [];
    const from = docRow(name, 1);
    const to = docRow(name, chunks);
    for await (const e of this.plans.listEntities<{ part: string }>({
      queryOptions: {
        filter: odata`PartitionKey eq ${scanId} and RowKey ge ${from} and RowKey le ${to}`,
      },
    })) {
      parts.push(e.part);
    }
    if (parts.length !== chunks)
      throw new Error(`the ${name} document of ${scanId} has ${parts.length} of ${chunks} chunks`);
    return JSON.parse(parts.join('')) as T;
  }

  async openLedger(scanId: string, batches: number): Promise<void> {
    await this.ready();
    const state: LedgerState = {
      batches,
      done: [],
      results: {},
      subscriptionsDone: 0,
      pages: 0,
      rows: 0,
      waitedMs: 0,
      closed: false,
    };
    await this.plans.upsertEntity(
      { partitionKey: scanId, rowKey: LEDGER, state: JSON.stringify(state) },
      'Replace',
    );
  }

  async readLedger(scanId: string): Promise<LedgerState | undefined> {
    await this.ready();
    const entity = await this.read(scanId);
    if (!entity) return undefined;
    const { etag: _etag, ...state } = entity;
    return state;
  }

  async reportBatch(
    scanId: string,
    batch: number,
    report: BatchReport,
  ): Promise<{ state: LedgerState; first: boolean }> {
    await this.ready();
    return this.change(scanId, (state) => {
      if (state.done.includes(batch)) return undefined;
      return {
        ...state,
        done: [...state.done, batch].sort((a, b) => a - b),
        results: { ...state.results, [String(batch)]: report.result },
        subscriptionsDone: state.subscriptionsDone + report.subscriptions,
        pages: state.pages + report.pages,
        rows: state.rows + report.rows,
        waitedMs: state.waitedMs + report.waitedMs,
      };
    }).then(({ state, changed }) => ({ state, first: changed }));
  }

  async claimClose(scanId: string, now: Date, staleMs: number): Promise<boolean> {
    await this.ready();
    const { changed } = await this.change(scanId, (state) => {
      if (state.closed || state.done.length < state.batches) return undefined;
      if (state.closingSince && now.getTime() - Date.parse(state.closingSince) < staleMs)
        return undefined;
      return { ...state, closingSince: now.toISOString() };
    });
    return changed;
  }

  async abandonClose(scanId: string): Promise<void> {
    await this.ready();
    await this.change(scanId, (state) => {
      if (state.closed || !state.closingSince) return undefined;
      const { closingSince: _claim, ...rest } = state;
      return rest;
    });
  }

  async markClosed(scanId: string): Promise<void> {
    await this.ready();
    await this.change(scanId, (state) => (state.closed ? undefined : { ...state, closed: true }));
  }

  async dropDocuments(scanId: string): Promise<void> {
    await this.ready();
    const rows: string[] = [];
    for await (const e of this.plans.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${scanId} and RowKey ge ${'doc-'} and RowKey lt ${'doc.'}`,
        select: ['rowKey'],
      },
    })) {
      if (e.rowKey) rows.push(e.rowKey);
    }
    for (let i = 0; i < rows.length; i += 100) {
      await this.plans.submitTransaction(
        rows.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey: scanId, rowKey }]),
      );
    }
  }

  async dropStaleDocuments(current: string): Promise<string[]> {
    await this.ready();
    // Only the heads (row `doc-<name>-000000`): a document's chunks go with it.
    const stale = new Set<string>();
    for await (const e of this.plans.listEntities({
      queryOptions: {
        filter: odata`RowKey ge ${'doc-'} and RowKey lt ${'doc.'} and PartitionKey ne ${current}`,
        select: ['partitionKey', 'rowKey'],
      },
    })) {
      if (e.partitionKey && e.rowKey?.endsWith('-000000')) stale.add(e.partitionKey);
    }
    for (const scanId of stale) await this.dropDocuments(scanId);
    return [...stale];
  }

  private async read(scanId: string): Promise<LedgerEntity | undefined> {
    try {
      const e = await this.plans.getEntity<{ state: string }>(scanId, LEDGER);
      return { ...(JSON.parse(e.state) as LedgerState), etag: e.etag ?? '*' };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Read, change, write under the ETag; a 412 (another worker changed it first) reads again. */
  private async change(
    scanId: string,
    apply: (state: LedgerState) => LedgerState | undefined,
  ): Promise<{ state: LedgerState; changed: boolean }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entity = await this.read(scanId);
      if (!entity) throw new Error(`no ledger for scan ${scanId}`);
      const { etag, ...state } = entity;
      const next = apply(state);
      if (!next) return { state, changed: false };
      try {
        await this.plans.updateEntity(
          { partitionKey: scanId, rowKey: LEDGER, state: JSON.stringify(next) },
          'Replace',
          { etag },
        );
        return { state: next, changed: true };
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
      }
    }
    throw new Error(`the ledger of scan ${scanId} kept changing under ${ATTEMPTS} attempts`);
  }
}
