// The ports the use cases need: tiny interfaces that adapters implement and tests fake.
import type { PlanSummary } from '../core/plan-summary.js';
import type { Scope } from '../config.js';
import type { Counts, StoredFinding } from '../core/lifecycle.js';
import type { Severity } from '../core/severity.js';
import type { LedgerEntry, NoticeKind } from '../core/digest.js';
import type { Urgency } from '../core/urgency.js';
import type { Exemption } from '../core/exemptions.js';
import type { ScanProgress } from '../core/progress.js';

export type { Scope, Counts, StoredFinding, ScanProgress };

export type GraphTable =
  | 'resources'
  | 'resourcecontainers'
  | 'authorizationresources'
  | 'advisorresources'
  | 'servicehealthresources';

/** Parts of the tenant left out of the scan, applied in the query so they cost no quota. */
export interface ScopeFilter {
  readonly excludeSubscriptions?: readonly string[];
  readonly excludeResourceGroups?: readonly string[];
  readonly excludeTypes?: readonly string[];
  readonly excludeTags?: readonly { readonly key: string; readonly value: string }[];
}

/** One Resource Graph query: rows of some types of one table, projected, sorted by id. */
export interface GraphQuery {
  readonly table: GraphTable;
  readonly types: readonly string[];
  readonly columns: readonly string[];
  readonly exclude?: ScopeFilter | undefined;
  /** Only rows carrying this tag (the ids of resources a tag exclusion leaves out). */
  readonly onlyTagged?: { readonly key: string; readonly value: string } | undefined;
  /** Only rows with one of these names (case-insensitive): role definitions by GUID. */
  readonly names?: readonly string[] | undefined;
  /** Only rows whose value at a dotted path equals this string (case-insensitive), e.g. Advisor's subcategory. */
  readonly where?: readonly { readonly path: string; readonly equals: string }[] | undefined;
  /**
   * A query sent as it is (a Manual retirement's published query, accepted by `acceptManualQuery`): `types`,
   * `columns` and the filters are then ignored.
   */
  readonly kql?: string | undefined;
}

/** Why a page could not be had after retries. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly reason:
      | 'forbidden'
      | 'throttled'
      | 'timeout'
      | 'server'
      | 'bad-request'
      | 'network'
      /** The service said its answer is incomplete (`resultTruncated`). */
      | 'truncated'
      /** No credential could give a token (not signed in). */
      | 'unauthenticated',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface SourceStats {
  pages: number;
  rows: number;
  throttled429: number;
  retries: number;
  waitedMs: number;
}

/** What a page said about itself besides its rows. */
export interface PageNotice {
  /**
   * `x-ms-tenant-subscription-limit-hit: true`: a tenant or management-group query covered only the
   * first 10,000 subscriptions.
   */
  readonly subscriptionLimitHit: boolean;
}

/** A subscription as an ARM listing returns it. */
export interface ListedSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
}

/**
 * Every subscription of a scope through an API without Resource Graph's 10,000-subscription cap on tenant and
 * management-group queries: ARM's subscriptions list for a tenant, the management-group descendants for groups.
 */
export interface SubscriptionLister {
  /**
   * Every subscription of the scope. `onPage`, if given, hears each page's subscriptions not seen before as it
   * arrives (ARM pages by `nextLink`, one after another), so that work on them can start before the listing ends.
   */
  list(
    scope: Scope,
    signal?: AbortSignal,
    onPage?: (page: readonly ListedSubscription[]) => void,
  ): Promise<ListedSubscription[]>;
}

/** Where rows come from: Resource Graph in Azure, the emulator locally, a file offline. */
export interface ResourceSource {
  /**
   * Splits a scope into the request scopes one paging sequence covers (subscription batches of the source's
   * batch size, or of `size`, at most the 1,000 subscriptions a request may list).
   */
  batches(scope: Scope, size?: number): Scope[];
  /**
   * Streams the pages (arrays of untrusted rows) of one query; throws SourceError when a page fails or
   * the service says its answer is truncated. `notice` hears what each page said about itself.
   */
  pages(
    query: GraphQuery,
    scope: Scope,
    signal?: AbortSignal,
    notice?: (notice: PageNotice) => void,
  ): AsyncIterable<readonly unknown[]>;
  /** Counters since the source was created (a scan reports the difference over its own run). */
  stats(): SourceStats;
  /** Releases what the source holds for others to see (its place in the quota registry), when it has any. */
  close?(): Promise<void>;
}

export type ScanTrigger = 'timer' | 'http' | 'cli' | 'startup';
export type ScanStatus = 'running' | 'succeeded' | 'partial' | 'failed';
export type SubscriptionOutcome = 'complete' | 'failed' | 'unreached';

export interface SubscriptionRecord {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly lastScanId: string;
  readonly lastScanAt: string;
  readonly outcome: SubscriptionOutcome;
  readonly reason?: string | undefined;
  readonly lastCompleteScanId?: string | undefined;
  readonly lastCompleteAt?: string | undefined;
  readonly counts: Counts;
  /** Hash of the open findings as of the last complete scan: equal now means nothing to read or write. */
  readonly findingsHash?: string | undefined;
  /** When the oldest resolved finding still stored was resolved (for retention). */
  readonly oldestResolvedAt?: string | undefined;
  /** Findings each exemption covered here at the last complete scan. */
  readonly exemptionMatches?: Readonly<Record<string, number>> | undefined;
  /** The subscription's migration plan in summary, as of its last complete scan. */
  readonly plan?: PlanSummary | undefined;
  /**
   * Lower-case ids of the resources whose Service Health–only retirement findings were kept open once seen (their
   * notice left the active view): the next scan checks they still exist, and resolves those that do not.
   */
  readonly noticed?: readonly string[] | undefined;
}

export interface Coverage {
  readonly previousSubscriptions: number;
  readonly subscriptions: number;
  /** Subscriptions seen by the previous complete scan and not listed now. */
  readonly vanished: number;
  /** Set when the drop was too large to trust: nothing that vanished was resolved. */
  readonly reason?: string | undefined;
}

/** How a retirement source read (Advisor, Service Health, a Manual entry's query). */
export interface RetirementSourceOutcome {
  readonly source: string;
  readonly outcome: 'complete' | 'failed';
  readonly reason?: string | undefined;
  readonly rows: number;
  /** Resource Graph pages (requests) the source cost, failed ones included. */
  readonly pages: number;
  /** What stood in or what the outcome means, for people (the catalog: "the bundled snapshot of …"). */
  readonly note?: string | undefined;
}

export interface ScanRecord {
  readonly id: string;
  readonly trigger: ScanTrigger;
  readonly startedAt: string;
  readonly endedAt?: string | undefined;
  readonly status: ScanStatus;
  readonly subscriptions: number;
  readonly subscriptionsComplete: number;
  readonly resources: number;
  readonly counts: Counts;
  /** Subscriptions that were not scanned completely, and why (capped). */
  readonly incomplete: readonly {
    subscriptionId: string;
    outcome: SubscriptionOutcome;
    reason: string;
  }[];
  readonly incompleteTotal: number;
  readonly ruleErrors: number;
  readonly error?: string | undefined;
  readonly source?: SourceStats | undefined;
  /** What the scan saw against the previous complete scan, and why it held back when coverage dropped. */
  readonly coverage?: Coverage | undefined;
  /** The retirement sources: a failed one leaves its findings as they were and makes the scan partial. */
  readonly retirementSources?: readonly RetirementSourceOutcome[] | undefined;
  /** Retirements the scan could not decide (Manual entries whose query the product does not run), and why. */
  readonly notEvaluated?: readonly { ruleId: string; reason: string }[] | undefined;
  /** How far a running scan has come (kept on the ended record as its last figures). */
  readonly progress?: ScanProgress | undefined;
}

/** One batch of a scan's plan, as it travels on the queue. */
export interface BatchMessage {
  readonly scanId: string;
  /** Its index in the plan (0-based). */
  readonly batch: number;
  /** The subscriptions it scans (an explicit Resource Graph request scope). */
  readonly subscriptionIds: readonly string[];
}

/** Where a scan's batches wait for a worker: Storage Queues (Azurite's locally). */
export interface BatchQueue {
  enqueue(messages: readonly BatchMessage[]): Promise<void>;
}

/** What the batches of a scan reported, and whether the scan was closed. */
export interface LedgerState {
  readonly batches: number;
  readonly done: readonly number[];
  /** The result document each reported batch wrote (by batch): a redelivered copy's result is never read. */
  readonly results: Readonly<Record<string, string>>;
  readonly subscriptionsDone: number;
  readonly pages: number;
  readonly rows: number;
  readonly waitedMs: number;
  readonly closed: boolean;
  /** When a worker claimed the closing (another may take it over once that claim is stale). */
  readonly closingSince?: string | undefined;
}

/** A batch's figures, added to the ledger once. */
export interface BatchReport {
  /** The name of the document holding the batch's result. */
  readonly result: string;
  readonly subscriptions: number;
  readonly pages: number;
  readonly rows: number;
  readonly waitedMs: number;
}

/**
 * The plan and the ledger of scans run as batches (Table Storage): documents of any size (chunked), and a ledger
 * entity changed only under its ETag, so a batch counts once and exactly one worker closes the scan.
 */
export interface ScanLedger {
  putDocument(scanId: string, name: string, value: unknown): Promise<void>;
  getDocument<T>(scanId: string, name: string): Promise<T | undefined>;
  openLedger(scanId: string, batches: number): Promise<void>;
  readLedger(scanId: string): Promise<LedgerState | undefined>;
  /** Adds a batch's report once; `first` is false when it was reported before (nothing changed then). */
  reportBatch(
    scanId: string,
    batch: number,
    report: BatchReport,
  ): Promise<{ state: LedgerState; first: boolean }>;
  /** Claims the closing of a scan whose batches all reported: true for one claimant (or a stale claim's taker). */
  claimClose(scanId: string, now: Date, staleMs: number): Promise<boolean>;
  /** Gives a claim up (the closing failed): the next delivery of a batch claims it again. */
  abandonClose(scanId: string): Promise<void>;
  markClosed(scanId: string): Promise<void>;
  /** Removes a closed scan's plan documents (the ledger entity stays, so late redeliveries see it closed). */
  dropDocuments(scanId: string): Promise<void>;
  /**
   * Removes the plan documents of every scan but `current` (called by a planner that holds the scan lease, so any
   * other scan with documents left died before its close): returns the scans whose documents were removed.
   */
  dropStaleDocuments(current: string): Promise<string[]>;
}

/** The O(1) status: what `GET /api/status` reads. */
export interface StatusSummary {
  readonly lastScan: ScanRecord;
  /** The scan running now, with its progress (added when the summary is read; never stored). */
  readonly running?: ScanRecord | undefined;
  readonly previousScanId?: string | undefined;
  readonly lastSucceededAt?: string | undefined;
  readonly totals: Counts;
  /** Open retirement findings by rule, with the rule's deadline, so urgency is computed when read. */
  readonly deadlines: readonly {
    ruleId: string;
    deadline: string;
    count: number;
    /** The retiring service (data-defined retirements: Microsoft's; hand-written: the resource provider). */
    service?: string | undefined;
    /** Retirements found by the sources that no rule of the catalog names (Service Health only, …). */
    title?: string | undefined;
    /** Microsoft's link. */
    link?: string | undefined;
  }[];
  /** Findings each exemption covered, tenant-wide: an exemption with none is stale. */
  readonly exemptionMatches?: Readonly<Record<string, number>> | undefined;
  /** Addresses owner tags named that are not mailed (outside EMAIL_ALLOWED_DOMAINS, too many in one tag). */
  readonly refusedRecipients?: readonly RefusedRecipient[] | undefined;
  /** How many distinct refused entries there were (the list is capped). */
  readonly refusedRecipientsTotal?: number | undefined;
  /** The last few scans, newest first: what health and the operator alerts judge. */
  readonly recentScans?: readonly {
    id: string;
    status: ScanStatus;
    endedAt?: string | undefined;
    reason?: string | undefined;
  }[];
}

/** An address a tag named that the app refused to mail, where the tag is, and how many findings it was on. */
export interface RefusedRecipient {
  readonly address: string;
  readonly why: string;
  /** Where to fix it: `tag owner on /subscriptions/…/resourceGroups/rg`, or the contacts / default recipients. */
  readonly where: string;
  readonly findings: number;
}

/** One day of the trend: open findings at the day's last scan, changes summed over its scans. */
export interface TrendDay {
  readonly day: string;
  readonly scans: number;
  readonly open: number;
  readonly bySeverity: Counts['bySeverity'];
  readonly new: number;
  readonly resolved: number;
  readonly lastStatus: ScanStatus;
}

export type IncidentKind = 'scan-failures' | 'stale' | 'coverage';

/** An operator-facing incident: open from `since` until it recovers; each edge is mailed once. */
export interface IncidentState {
  readonly kind: IncidentKind;
  readonly open: boolean;
  readonly since: string;
  readonly detail: string;
  readonly notifiedAt?: string | undefined;
}

export class AlreadyRunningError extends Error {
  constructor(
    readonly holder: string,
    readonly expiresAt: string,
  ) {
    super(`a scan is already running (${holder}, lease until ${expiresAt})`);
    this.name = 'AlreadyRunningError';
  }
}

export interface Lease {
  readonly holder: string;
  /** When the lease runs out unless renewed (ISO). */
  readonly expiresAt: string;
  /** Extends the lease; throws LeaseLostError when another holder has it now. */
  renew(now: Date): Promise<void>;
  /** Gives the lease up, only if it is still ours (an old holder never frees a new holder's lease). */
  release(): Promise<void>;
}

/** The lease is someone else's now (taken over after it expired): the old holder must stop writing. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** A lease as someone holds it now. */
export interface LeaseState {
  readonly holder: string;
  readonly expiresAt: string;
}

/** Filters of the findings listing; every value reaches Table Storage only through the SDK's escaping. */
export interface FindingFilter {
  readonly subscriptionId?: string | undefined;
  readonly severity?: Severity | undefined;
  readonly ruleId?: string | undefined;
  /** Any of these rules (the dashboard's service filter: the retirements of one service). */
  readonly ruleIds?: readonly string[] | undefined;
  readonly resourceGroup?: string | undefined;
  /** An owner address (case-insensitive), matched against the finding's owners. */
  readonly owner?: string | undefined;
  /** `open` excludes exempted findings; `exempted` is open findings an active exemption covers. */
  readonly status?: 'open' | 'resolved' | 'exempted' | undefined;
  /** Findings resolved by this scan. */
  readonly resolvedScan?: string | undefined;
}

export interface FindingPage {
  readonly items: StoredFinding[];
  /** The store's own token for the next page; absent on the last page. */
  readonly next?: string | undefined;
}

export interface AuditEntry {
  readonly at: string;
  readonly who: string;
  /** `who` is only what the caller said (no App Service Authentication in front). */
  readonly selfDeclared?: boolean | undefined;
  /** `create`/`delete` an exemption; `contacts`: a subscription's contacts set (or cleared). */
  readonly action: 'create' | 'delete' | 'contacts';
  /** The exemption changed (exemption actions). */
  readonly exemptionId?: string | undefined;
  /** The subscription whose contacts changed (`contacts`). */
  readonly subscriptionId?: string | undefined;
  /** The exemption as it was created or deleted, or the new contact list (JSON). */
  readonly what: string;
}

/** Exemptions and their audit trail. */
export interface ExemptionStore {
  listExemptions(): Promise<Exemption[]>;
  getExemption(id: string): Promise<Exemption | undefined>;
  putExemption(exemption: Exemption, audit: AuditEntry): Promise<void>;
  deleteExemption(id: string, audit: AuditEntry): Promise<boolean>;
  readAudit(limit: number): Promise<AuditEntry[]>;
  /** Records a change made elsewhere (the contacts list) in the same audit trail. */
  recordAudit(entry: AuditEntry): Promise<void>;
}

/** Where findings, scans and the status live: Table Storage in Azure and locally (Azurite). */
export interface FindingStore {
  /** One holder at a time per lease name (`scan`, `digest`); AlreadyRunningError otherwise. */
  acquireLease(holder: string, seconds: number, now: Date, name?: string): Promise<Lease>;
  /**
   * The lease `holder` already holds, for another process to renew and release (a scan's batches on several
   * instances); LeaseLostError when someone else holds it now, or nobody does.
   */
  joinLease(holder: string, seconds: number, name?: string): Promise<Lease>;
  loadSubscriptions(): Promise<SubscriptionRecord[]>;
  /** The operator's subscription → contact addresses mapping. */
  loadContacts(): Promise<Map<string, string[]>>;
  /** Sets (or, with no addresses, removes) a subscription's contacts. */
  setContacts(subscriptionId: string, emails: readonly string[]): Promise<void>;
  loadFindings(subscriptionId: string): Promise<StoredFinding[]>;
  /** Writes changed findings (transactions of ≤100, one partition = one subscription); returns entities written. */
  writeFindings(subscriptionId: string, changes: readonly StoredFinding[]): Promise<number>;
  writeSubscriptions(records: readonly SubscriptionRecord[]): Promise<number>;
  /**
   * Marks a subscription's partition as being written: its record exists (so "no record" always means
   * "no stored findings") and its findings hash is cleared until the scan completes (so a crash in
   * between can never make a half-written partition look unchanged).
   */
  markSubscription(subscriptionId: string): Promise<void>;
  writeScan(record: ScanRecord): Promise<void>;
  /** The newest scan records, newest first. */
  listScans(limit: number): Promise<ScanRecord[]>;
  /** Who holds a lease now, if anyone (expired or not). */
  readLease(name?: string): Promise<LeaseState | undefined>;
  /** Removes findings (resolved ones past the retention); returns entities deleted. */
  deleteFindings(subscriptionId: string, findings: readonly StoredFinding[]): Promise<number>;
  writeStatus(summary: StatusSummary): Promise<void>;
  /** Adds a scan to its day's trend entity (one entity per day). */
  recordTrend(day: TrendDay): Promise<void>;
  /** Daily trend, oldest first, from `since` (YYYY-MM-DD). */
  readTrend(since: string): Promise<TrendDay[]>;
  readStatus(): Promise<StatusSummary | undefined>;
  readSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  /** One page of findings across subscriptions (or one subscription's partition when filtered by it). */
  queryFindings(filter: FindingFilter, top: number, next?: string): Promise<FindingPage>;
  readIncidents(): Promise<IncidentState[]>;
  writeIncident(incident: IncidentState): Promise<void>;
  /** Entities written since the store was created (for the benchmark). */
  writes(): number;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A digest about to be sent: written before the send, so a crash after it resends the same operation. */
export interface PendingDigest {
  readonly operationId: string;
  readonly createdAt: string;
  readonly attempts: number;
  /** The notices it carries (kind, finding key, stage), enough to rebuild it from current findings. */
  readonly items: readonly {
    kind: NoticeKind;
    key: string;
    urgency?: Urgency | undefined;
    previousUrgency?: Urgency | undefined;
  }[];
}

export interface SentMail {
  readonly operationId: string;
  readonly recipient: string;
  readonly subject: string;
  readonly sentAt: string;
  readonly items: number;
}

/** What was mailed to whom: the once-and-only-once memory of the digests. */
export interface DigestLedger {
  loadLedger(recipient: string): Promise<Map<string, LedgerEntry>>;
  loadPending(recipient: string): Promise<PendingDigest | undefined>;
  savePending(recipient: string, pending: PendingDigest): Promise<void>;
  dropPending(recipient: string): Promise<void>;
  /** Applies a sent digest: ledger upserts and deletes, the pending entry removed, the mail logged. */
  commit(
    recipient: string,
    changes: { upserts: readonly LedgerEntry[]; deletes: readonly string[] },
    mail: SentMail,
  ): Promise<void>;
  /** Mails logged since a time (for the hourly limit across runs). */
  sentSince(since: Date): Promise<number>;
}

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Deterministic per (recipient, digest): the service treats a repeat as the same send. */
  readonly operationId: string;
}

export class MailError extends Error {
  constructor(
    message: string,
    readonly kind: 'throttled' | 'rejected' | 'failed',
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

/**
 * What became of a send, as the service's operation status says: `delivered` (Succeeded), `in-progress`
 * (NotStarted, Running), `failed` (Failed, Canceled), or `unknown` (the service has no such operation: it never
 * arrived).
 */
export type SendOutcome = 'delivered' | 'in-progress' | 'failed' | 'unknown';

export interface Mailer {
  send(email: OutgoingEmail, signal?: AbortSignal): Promise<void>;
  /** Asks the service what became of an earlier send (`GET /emails/operations/{operationId}`). */
  outcome(operationId: string, signal?: AbortSignal): Promise<SendOutcome>;
}
