// GET /api/status and /api/status/subscriptions/{subscriptionId}: the readiness summary, read from one entity.
import {
  cachedSummary,
  readSubscriptionStatus,
  runningScanOf,
  statusView,
} from '../app/read-status.js';
import type { StatusSummary } from '../app/ports.js';
import { repairAbandonedScans } from '../app/scan/abandoned.js';
import { services } from '../composition.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';

/** Scans run hours apart: a status a few seconds old is current, and one read serves every caller meanwhile. */
const STATUS_CACHE_MS = 3_000;
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
  return json(
    200,
    statusView(await summary(), s.clock(), s.config.thresholds, s.config.scanSchedule),
  );
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
