// GET /api/status and /api/status/subscriptions/{subscriptionId}: the readiness summary, read from one entity.
import {
  cachedSummary,
  readSubscriptionStatus,
  runningScanOf,
  statusView,
  statusViewParts,
  type FixedStatusView,
} from '../app/read-status.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import { freshnessOf } from '../core/schedule.js';
import type { StatusSummary } from '../app/ports.js';
import { repairAbandonedScans } from '../app/scan/abandoned.js';
import { services } from '../composition.js';
import {
  json,
  jsonResponse,
  jsonText,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';

/** Scans run hours apart: a status a few seconds old is current, and one read serves every caller meanwhile. */
const STATUS_CACHE_MS = 3_000;
/**
 * Past those seconds the next read is started, and callers keep the summary at hand while it is under way, up to
 * this age: under load no caller waits on the store (a refresh every 3 s held up every request meanwhile). Older
 * than that (a store that stopped answering), callers wait for the read and see its failure.
 */
const STATUS_STALE_MS = 30_000;
let readSummary: (() => Promise<StatusSummary | undefined>) | undefined;

/** The summary, cached for a few seconds and shared by status, health and the dashboard. */
export function summary(): Promise<StatusSummary | undefined> {
  const s = services();
  readSummary ??= cachedSummary(
    s.store,
    STATUS_CACHE_MS,
    Date.now,
    () => repairAbandonedScans(s.store, s.clock()),
    () => runningScanOf(s.store),
    STATUS_STALE_MS,
  );
  return readSummary();
}

/** For tests: forget the cached summary. */
export function forgetCachedStatus(): void {
  readSummary = undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getStatus(
  _request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  return jsonResponse(
    200,
    statusJson(await summary(), s.clock(), s.config.thresholds, s.config.scanSchedule),
  );
}

/** The JSON of the fixed part of a view, without its braces, made once per view object (per summary and day). */
const fixedJson = new WeakMap<FixedStatusView, string>();

/**
 * The status view's JSON text, exactly as `json(200, statusView(...))` answers it: the part that changes only with
 * the summary and the day is serialized once and reused, only the clock's fields are serialized per request
 * (serializing the whole view was the route's largest cost of its own; README, "Benchmark").
 */
export function statusJson(
  current: StatusSummary | undefined,
  now: Date,
  thresholds: UrgencyThresholds | undefined,
  schedule: string,
): string {
  if (!current) return jsonText(statusView(current, now, thresholds, schedule));
  const { generatedAt, fixed } = statusViewParts(current, now, thresholds);
  let middle = fixedJson.get(fixed);
  if (middle === undefined) {
    middle = jsonText(fixed).slice(1, -1);
    fixedJson.set(fixed, middle);
  }
  const freshness = freshnessOf(current.lastSucceededAt, schedule, now);
  // The key order of statusView's object: generatedAt, the fixed part, freshness.
  return `{"generatedAt":${jsonText(generatedAt)},${middle === '' ? '' : `${middle},`}"freshness":${jsonText(freshness)}}`;
}

export async function getSubscriptionStatus(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const id = request.params.subscriptionId ?? '';
  if (!GUID.test(id))
    return problem(400, 'InvalidParameter', 'subscriptionId must be a subscription id (a GUID)');
  const s = services();
  const view = await readSubscriptionStatus(s.store, id.toLowerCase(), s.clock());
  if (!view)
    return problem(404, 'NotFound', `subscription ${id.toLowerCase()} has never been scanned`);
  return json(200, view);
}
