// Exemptions and their audit trail in Table Storage: a handful of entities, read whole at scan start.
import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { AuditEntry, ExemptionStore } from '../../app/ports.js';
import type { Exemption } from '../../core/exemptions.js';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';
import { encodeKey, invertedTimeKey } from './keys.js';

function parse<T>(value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

export class TableExemptionStore implements ExemptionStore {
  private readonly exemptions: TableClient;
  private readonly audit: TableClient;

  constructor(options: TablesOptions) {
    this.exemptions = tableClient(options, 'Exemptions');
    this.audit = tableClient(options, 'Audit');
    this.init = tablesReady([this.exemptions, this.audit]);
  }

  private readonly init: () => Promise<void>;

  async listExemptions(): Promise<Exemption[]> {
    await this.init();
    const out: Exemption[] = [];
    for await (const e of this.exemptions.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${'exemption'}` },
    })) {
      const exemption = parse<Exemption>(e.exemption);
      if (exemption) out.push(exemption);
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }

  async getExemption(id: string): Promise<Exemption | undefined> {
    await this.init();
    try {
      const e = await this.exemptions.getEntity<Record<string, unknown>>(
        'exemption',
        encodeKey(id),
      );
      return parse<Exemption>(e.exemption);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async record(entry: AuditEntry): Promise<void> {
    await this.audit.upsertEntity(
      {
        partitionKey: 'audit',
        rowKey: invertedTimeKey(
          entry.at,
          `${entry.action}-${entry.exemptionId ?? entry.subscriptionId ?? ''}-${randomUUID()}`,
        ),
        ...Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
      },
      'Replace',
    );
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.init();
    await this.record(entry);
  }

  async putExemption(exemption: Exemption, audit: AuditEntry): Promise<void> {
    await this.init();
    // Audit first: a change is never without its record.
    await this.record(audit);
    await this.exemptions.upsertEntity(
      {
        partitionKey: 'exemption',
        rowKey: encodeKey(exemption.id),
        exemption: JSON.stringify(exemption),
      },
      'Replace',
    );
  }

  async deleteExemption(id: string, audit: AuditEntry): Promise<boolean> {
    await this.init();
    if (!(await this.getExemption(id))) return false;
    await this.record(audit);
    try {
      await this.exemptions.deleteEntity('exemption', encodeKey(id));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async readAudit(limit: number): Promise<AuditEntry[]> {
    await this.init();
    const out: AuditEntry[] = [];
    for await (const e of this.audit.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${'audit'}` },
    })) {
      out.push({
        at: String(e.at),
        who: String(e.who),
        ...(e.selfDeclared === true ? { selfDeclared: true } : {}),
        action: e.action === 'delete' || e.action === 'contacts' ? e.action : 'create',
        ...(typeof e.exemptionId === 'string' ? { exemptionId: e.exemptionId } : {}),
        ...(typeof e.subscriptionId === 'string' ? { subscriptionId: e.subscriptionId } : {}),
        what: String(e.what ?? ''),
      });
      if (out.length >= limit) break;
    }
    return out;
  }
}
