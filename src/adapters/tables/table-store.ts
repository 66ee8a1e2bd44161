// The findings store over Azure Table Storage (Azurite locally): findings, subscriptions, scans, status, lease.
import {
  odata,
  type TableClient,
  type TableEntity,
  type TransactionAction,
} from '@azure/data-tables';
import { statusOf, tableClient, tablesReady, type TablesOptions } from './clients.js';
import {
  AlreadyRunningError,
  LeaseLostError,
  type FindingStore,
  type Lease,
  type LeaseState,
  type ScanRecord,
  type StatusSummary,
  type StoredFinding,
  type FindingFilter,
  type IncidentState,
  type FindingPage,
  type SubscriptionRecord,
  type TrendDay,
} from '../../app/ports.js';
import { encodeKey, findingRowKey, invertedTimeKey } from './keys.js';
import { GroupCommit } from './group-commit.js';

const BATCH = 100;

type Entity = TableEntity<Record<string, unknown>>;

function str(e: Record<string, unknown>, key: string): string | undefined {
  const v = e[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function json<T>(e: Record<string, unknown>, key: string, fallback: T): T {
  const v = e[key];
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** Drops undefined values: Table Storage has no null, and an absent property reads back as absent. */
function clean(entity: Record<string, unknown>): Entity {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) if (v !== undefined) out[k] = v;
  return out as Entity;
}

export type TableStoreOptions = TablesOptions;

export class TableFindingStore implements FindingStore {
  private readonly findings: TableClient;
  private readonly subscriptions: TableClient;
  private readonly scans: TableClient;
  private readonly state: TableClient;
  private readonly contacts: TableClient;
  private written = 0;
  private markerCount = 0;
  private markerRequests = 0;

  constructor(private readonly options: TableStoreOptions) {
    this.findings = tableClient(options, 'Findings');
    this.subscriptions = tableClient(options, 'Subscriptions');
    this.scans = tableClient(options, 'Scans');
    this.state = tableClient(options, 'State');
    this.contacts = tableClient(options, 'Contacts');
    this.init = tablesReady([
      this.findings,
      this.subscriptions,
      this.scans,
      this.state,
      this.contacts,
    ]);
  }

  /** Creates the tables once (idempotent: an existing table is fine). */
  readonly init: () => Promise<void>;

  writes(): number {
    return this.written;
  }

  async acquireLease(holder: string, seconds: number, now: Date, name = 'scan'): Promise<Lease> {
    await this.init();
    const expiresAt = (from: number) => new Date(from + seconds * 1000).toISOString();
    const entity = {
      partitionKey: 'lease',
      rowKey: name,
      holder,
      expiresAt: expiresAt(now.getTime()),
    };
    let etag: string;
    try {
      const current = await this.state.getEntity<Record<string, unknown>>('lease', name);
      const currentExpiry = str(current, 'expiresAt') ?? '1970-01-01T00:00:00Z';
      if (Date.parse(currentExpiry) > now.getTime()) {
        throw new AlreadyRunningError(str(current, 'holder') ?? 'unknown', currentExpiry);
      }
      try {
        etag =
          (await this.state.updateEntity(entity, 'Replace', { etag: current.etag })).etag ?? '*';
      } catch (error) {
        if (statusOf(error) === 412)
          throw new AlreadyRunningError('another scan', entity.expiresAt);
        throw error;
      }
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      try {
        etag = (await this.state.createEntity(entity)).etag ?? '*';
      } catch (createError) {
        if (statusOf(createError) === 409)
          throw new AlreadyRunningError('another scan', entity.expiresAt);
        throw createError;
      }
    }
    this.written++;
    const state = this.state;
    let expires = entity.expiresAt;
    const lease: Lease = {
      holder,
      get expiresAt() {
        return expires;
      },
      renew: async (at: Date) => {
        const next = expiresAt(at.getTime());
        try {
          const result = await state.updateEntity({ ...entity, expiresAt: next }, 'Replace', {
            etag,
          });
          etag = result.etag ?? etag;
          expires = next;
        } catch (error) {
          // The ETag moved (412) or the entity is gone (404): someone else took the lease.
          const status = statusOf(error);
          if (status === 412 || status === 404)
            throw new LeaseLostError(
              `the ${name} lease of ${holder} was taken over by another holder`,
            );
          throw error;
        }
      },
      release: async () => {
        try {
          await state.deleteEntity('lease', name, { etag });
        } catch (error) {
          const status = statusOf(error);
          if (status !== 404 && status !== 412) throw error;
        }
      },
    };
    return lease;
  }

  async joinLease(holder: string, seconds: number, name = 'scan'): Promise<Lease> {
    await this.init();
    const state = this.state;
    const read = async (): Promise<{ etag: string; expiresAt: string }> => {
      try {
        const e = await state.getEntity<Record<string, unknown>>('lease', name);
        const expiresAt = str(e, 'expiresAt') ?? '1970-01-01T00:00:00Z';
        if (str(e, 'holder') !== holder)
          throw new LeaseLostError(`the ${name} lease of ${holder} is held by another holder now`);
        return { etag: e.etag ?? '*', expiresAt };
      } catch (error) {
        if (statusOf(error) === 404)
          throw new LeaseLostError(`the ${name} lease of ${holder} was released`);
        throw error;
      }
    };
    let current = await read();
    if (Date.parse(current.expiresAt) <= Date.now())
      throw new LeaseLostError(`the ${name} lease of ${holder} expired at ${current.expiresAt}`);
    const lease: Lease = {
      holder,
      get expiresAt() {
        return current.expiresAt;
      },
      // Several instances renew the same holder's lease: a 412 is a sibling's renewal, read again and retry;
      // the expiry never moves back.
      renew: async (at: Date) => {
        for (let attempt = 0; attempt < 5; attempt++) {
          const wanted = new Date(at.getTime() + seconds * 1000).toISOString();
          const next = wanted > current.expiresAt ? wanted : current.expiresAt;
          try {
            const result = await state.updateEntity(
              { partitionKey: 'lease', rowKey: name, holder, expiresAt: next },
              'Replace',
              { etag: current.etag },
            );
            current = { etag: result.etag ?? current.etag, expiresAt: next };
            return;
          } catch (error) {
            const status = statusOf(error);
            if (status !== 412 && status !== 404) throw error;
            current = await read();
          }
        }
      },
      release: async () => {
        try {
          current = await read();
          await state.deleteEntity('lease', name, { etag: current.etag });
        } catch (error) {
          if (error instanceof LeaseLostError) return;
          const status = statusOf(error);
          if (status !== 404 && status !== 412) throw error;
        }
      },
    };
    return lease;
  }

  async loadSubscriptions(): Promise<SubscriptionRecord[]> {
    await this.init();
    const out: SubscriptionRecord[] = [];
    for await (const e of this.subscriptions.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${'subscriptions'}` },
    })) {
      out.push(toSubscription(e));
    }
    return out;
  }

  async loadContacts(): Promise<Map<string, string[]>> {
    await this.init();
    const out = new Map<string, string[]>();
    for await (const e of this.contacts.listEntities<Record<string, unknown>>()) {
      const id = (str(e, 'subscriptionId') ?? str(e, 'rowKey') ?? '').toLowerCase();
      const emails = (str(e, 'emails') ?? '').split(/[,;\s]+/).filter(Boolean);
      if (id && emails.length > 0) out.set(id, emails);
    }
    return out;
  }

  /** Sets (or, with no addresses, removes) a subscription's contacts. */
  async setContacts(subscriptionId: string, emails: readonly string[]): Promise<void> {
    await this.init();
    const id = subscriptionId.toLowerCase();
    if (emails.length === 0) {
      await this.contacts.deleteEntity('contacts', encodeKey(id)).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      return;
    }
    await this.contacts.upsertEntity(
      {
        partitionKey: 'contacts',
        rowKey: encodeKey(id),
        subscriptionId: id,
        emails: emails.join(';'),
      },
      'Replace',
    );
  }

  async readSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    await this.init();
    try {
      return toSubscription(
        await this.subscriptions.getEntity<Record<string, unknown>>(
          'subscriptions',
          encodeKey(subscriptionId),
        ),
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async loadFindings(subscriptionId: string): Promise<StoredFinding[]> {
    await this.init();
    const out: StoredFinding[] = [];
    for await (const e of this.findings.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${encodeKey(subscriptionId)}` },
    })) {
      out.push(toFinding(e));
    }
    return out;
  }

  async writeFindings(subscriptionId: string, changes: readonly StoredFinding[]): Promise<number> {
    if (changes.length === 0) return 0;
    await this.init();
    const partitionKey = encodeKey(subscriptionId);
    const actions: TransactionAction[] = changes.map((f) => [
      'upsert',
      // resourceGroupKey: resource group names compare case-insensitively, Table filters do not.
      clean({
        partitionKey,
        rowKey: findingRowKey(f.ruleId, f.resourceId),
        ...f,
        resourceGroupKey: f.resourceGroup.toLowerCase(),
        // Always present ('' when none), so `open` and `exempted` can be told apart by a filter.
        exemptionId: f.exemptionId ?? '',
      }),
      'Replace',
    ]);
    await this.submit(this.findings, actions);
    return changes.length;
  }

  async queryFindings(filter: FindingFilter, top: number, next?: string): Promise<FindingPage> {
    await this.init();
    // Built only from the SDK's odata template, which quotes and escapes every value.
    const clauses: string[] = [];
    if (filter.subscriptionId)
      clauses.push(odata`PartitionKey eq ${encodeKey(filter.subscriptionId)}`);
    if (filter.status === 'resolved') clauses.push(odata`status eq ${'resolved'}`);
    if (filter.status === 'open') clauses.push(odata`status eq ${'open'} and exemptionId eq ${''}`);
    if (filter.status === 'exempted')
      clauses.push(odata`status eq ${'open'} and exemptionId ne ${''}`);
    if (filter.severity) clauses.push(odata`severity eq ${filter.severity}`);
    if (filter.ruleId) clauses.push(odata`ruleId eq ${filter.ruleId}`);
    // Table Storage takes at most 15 discrete comparisons in a filter
    // (https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities, "Filtering on properties"):
    // a short list of rules goes into it, a longer one is applied here, as the owner filter is.
    const ruleIds = filter.ruleIds ? new Set(filter.ruleIds) : undefined;
    const ruleIdsHere = ruleIds !== undefined && ruleIds.size > 6;
    if (ruleIds && ruleIds.size === 0) return { items: [] };
    if (ruleIds && !ruleIdsHere)
      clauses.push(`(${[...ruleIds].map((id) => odata`ruleId eq ${id}`).join(' or ')})`);
    if (filter.resourceGroup)
      clauses.push(odata`resourceGroupKey eq ${filter.resourceGroup.toLowerCase()}`);
    if (filter.resolvedScan) clauses.push(odata`resolvedScan eq ${filter.resolvedScan}`);
    const owner = filter.owner?.toLowerCase();
    const pages = this.findings
      .listEntities<Record<string, unknown>>({
        queryOptions: clauses.length ? { filter: clauses.join(' and ') } : {},
      })
      .byPage({ maxPageSize: top, ...(next ? { continuationToken: next } : {}) });
    const items: StoredFinding[] = [];
    let token: string | undefined;
    // The owner filter is applied here (Table Storage has no "contains"): a page may hold fewer
    // than `top` items, never a wrong one; a bounded number of pages is read per call.
    for (let read = 0; read < 20; read++) {
      const page = await pages.next();
      if (page.done) {
        token = undefined;
        break;
      }
      for (const e of page.value) {
        const f = toFinding(e);
        if (ruleIdsHere && !ruleIds.has(f.ruleId)) continue;
        if (
          owner &&
          !(f.owners ?? '')
            .toLowerCase()
            .split(/[;,\s]+/)
            .includes(owner)
        )
          continue;
        items.push(f);
      }
      token = page.value.continuationToken;
      if (!token || items.length > 0) break;
    }
    return { items, ...(token ? { next: token } : {}) };
  }

  async deleteFindings(
    subscriptionId: string,
    findings: readonly StoredFinding[],
  ): Promise<number> {
    if (findings.length === 0) return 0;
    await this.init();
    const partitionKey = encodeKey(subscriptionId);
    const actions: TransactionAction[] = findings.map((f) => [
      'delete',
      { partitionKey, rowKey: findingRowKey(f.ruleId, f.resourceId) },
    ]);
    await this.submit(this.findings, actions);
    return findings.length;
  }

  async recordTrend(day: TrendDay): Promise<void> {
    await this.init();
    const partitionKey = `trend-${day.day.slice(0, 4)}`;
    let merged = day;
    try {
      const e = await this.state.getEntity<Record<string, unknown>>(partitionKey, day.day);
      const before = json<TrendDay | undefined>(e, 'day', undefined);
      if (before)
        merged = {
          ...day,
          scans: before.scans + day.scans,
          new: before.new + day.new,
          resolved: before.resolved + day.resolved,
        };
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    await this.state.upsertEntity(
      { partitionKey, rowKey: day.day, day: JSON.stringify(merged) },
      'Replace',
    );
    this.written++;
  }

  async readIncidents(): Promise<IncidentState[]> {
    await this.init();
    const out: IncidentState[] = [];
    for await (const e of this.state.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${'incident'}` },
    })) {
      const incident = json<IncidentState | undefined>(e, 'incident', undefined);
      if (incident) out.push(incident);
    }
    return out;
  }

  async writeIncident(incident: IncidentState): Promise<void> {
    await this.init();
    await this.state.upsertEntity(
      { partitionKey: 'incident', rowKey: incident.kind, incident: JSON.stringify(incident) },
      'Replace',
    );
    this.written++;
  }

  async readTrend(since: string): Promise<TrendDay[]> {
    await this.init();
    const out: TrendDay[] = [];
    const firstYear = Number(since.slice(0, 4));
    const lastYear = new Date().getUTCFullYear() + 1;
    for (let year = firstYear; year <= lastYear; year++) {
      for await (const e of this.state.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${`trend-${year}`} and RowKey ge ${since}` },
      })) {
        const day = json<TrendDay | undefined>(e, 'day', undefined);
        if (day) out.push(day);
      }
    }
    return out.sort((a, b) => (a.day < b.day ? -1 : 1));
  }

  /**
   * Markers of subscriptions reconciled at the same time share a transaction (one partition, `subscriptions`):
   * a first scan marks every subscription it writes findings for, one request each before (measured, a 12,000-
   * subscription first scan: ≈ 8,000 single requests, as many as its findings' transactions).
   */
  private readonly markers = new GroupCommit<string>(
    async (ids) => {
      // Merge: an existing record keeps everything but its hash (now unknown); a new one is created.
      await this.subscriptions.submitTransaction(
        ids.map((subscriptionId) => [
          'upsert',
          {
            partitionKey: 'subscriptions',
            rowKey: encodeKey(subscriptionId),
            subscriptionId,
            findingsHash: '',
          },
          'Merge',
        ]),
      );
      this.written += ids.length;
      this.markerRequests++;
    },
    (id) => encodeKey(id),
  );
  /** Requests the markers took (each a transaction of the markers waiting then). */
  markerWrites(): { readonly markers: number; readonly requests: number } {
    return { markers: this.markerCount, requests: this.markerRequests };
  }

  async markSubscription(subscriptionId: string): Promise<void> {
    await this.init();
    this.markerCount++;
    await this.markers.add(subscriptionId);
  }

  async writeSubscriptions(records: readonly SubscriptionRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    await this.init();
    const actions: TransactionAction[] = records.map((r) => [
      'upsert',
      clean({
        partitionKey: 'subscriptions',
        rowKey: encodeKey(r.subscriptionId),
        ...r,
        counts: JSON.stringify(r.counts),
        exemptionMatches: r.exemptionMatches ? JSON.stringify(r.exemptionMatches) : undefined,
        plan: r.plan ? JSON.stringify(r.plan) : undefined,
        noticed: r.noticed?.length ? JSON.stringify(r.noticed) : undefined,
      }),
      'Replace',
    ]);
    await this.submit(this.subscriptions, actions);
    return records.length;
  }

  async writeScan(record: ScanRecord): Promise<void> {
    await this.init();
    await this.scans.upsertEntity(
      clean({
        partitionKey: 'scans',
        rowKey: invertedTimeKey(record.startedAt, record.id),
        id: record.id,
        status: record.status,
        startedAt: record.startedAt,
        endedAt: record.endedAt,
        record: JSON.stringify(record),
      }),
      'Replace',
    );
    this.written++;
  }

  async listScans(limit: number): Promise<ScanRecord[]> {
    await this.init();
    const out: ScanRecord[] = [];
    const pages = this.scans
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq 'scans'` },
      })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        const record = json<ScanRecord | undefined>(e, 'record', undefined);
        if (record) out.push(record);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  async readLease(name = 'scan'): Promise<LeaseState | undefined> {
    await this.init();
    try {
      const e = await this.state.getEntity<Record<string, unknown>>('lease', name);
      return { holder: str(e, 'holder') ?? 'unknown', expiresAt: str(e, 'expiresAt') ?? '' };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async writeStatus(summary: StatusSummary): Promise<void> {
    await this.init();
    await this.state.upsertEntity(
      { partitionKey: 'status', rowKey: 'current', summary: JSON.stringify(summary) },
      'Replace',
    );
    this.written++;
  }

  async readStatus(): Promise<StatusSummary | undefined> {
    await this.init();
    try {
      const e = await this.state.getEntity<Record<string, unknown>>('status', 'current');
      return json<StatusSummary | undefined>(e, 'summary', undefined);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Transactions of ≤100 actions; one partition per call, so they go one after another. */
  private async submit(table: TableClient, actions: TransactionAction[]): Promise<void> {
    for (let i = 0; i < actions.length; i += BATCH) {
      const chunk = actions.slice(i, i + BATCH);
      await table.submitTransaction(chunk);
      this.written += chunk.length;
    }
  }
}

function toFinding(e: Record<string, unknown>): StoredFinding {
  return {
    subscriptionId: str(e, 'subscriptionId') ?? '',
    ruleId: str(e, 'ruleId') ?? '',
    severity: (str(e, 'severity') ?? 'info') as StoredFinding['severity'],
    resourceId: str(e, 'resourceId') ?? '',
    resourceName: str(e, 'resourceName') ?? '',
    resourceType: str(e, 'resourceType') ?? '',
    resourceGroup: str(e, 'resourceGroup') ?? '',
    message: str(e, 'message') ?? '',
    deadline: str(e, 'deadline'),
    owners: str(e, 'owners'),
    ownerReason: str(e, 'ownerReason'),
    exemptionId: str(e, 'exemptionId'),
    exemptedUntil: str(e, 'exemptedUntil'),
    expiredExemptionId: str(e, 'expiredExemptionId'),
    status: str(e, 'status') === 'resolved' ? 'resolved' : 'open',
    firstSeen: str(e, 'firstSeen') ?? '',
    firstSeenScan: str(e, 'firstSeenScan') ?? '',
    resolvedAt: str(e, 'resolvedAt'),
    resolvedScan: str(e, 'resolvedScan'),
    reopenedAt: str(e, 'reopenedAt'),
    reopenedScan: str(e, 'reopenedScan'),
  };
}

function toSubscription(e: Record<string, unknown>): SubscriptionRecord {
  const outcome = str(e, 'outcome');
  return {
    subscriptionId: str(e, 'subscriptionId') ?? '',
    displayName: str(e, 'displayName') ?? '',
    lastScanId: str(e, 'lastScanId') ?? '',
    lastScanAt: str(e, 'lastScanAt') ?? '',
    outcome: outcome === 'failed' || outcome === 'unreached' ? outcome : 'complete',
    reason: str(e, 'reason'),
    lastCompleteScanId: str(e, 'lastCompleteScanId'),
    lastCompleteAt: str(e, 'lastCompleteAt'),
    findingsHash: str(e, 'findingsHash'),
    oldestResolvedAt: str(e, 'oldestResolvedAt'),
    exemptionMatches: json<Record<string, number> | undefined>(e, 'exemptionMatches', undefined),
    plan: json<SubscriptionRecord['plan']>(e, 'plan', undefined),
    noticed: noticedOf(e),
    counts: json(e, 'counts', {
      resources: 0,
      open: 0,
      bySeverity: { blocker: 0, warning: 0, info: 0 },
      byRule: {},
      new: 0,
      resolved: 0,
      reopened: 0,
    }),
  };
}

/** A record's `noticed` ids: a JSON array of strings, anything else read as none. */
function noticedOf(e: Record<string, unknown>): string[] | undefined {
  const value = json<unknown>(e, 'noticed', undefined);
  return Array.isArray(value) && value.every((v) => typeof v === 'string') && value.length > 0
    ? value
    : undefined;
}
