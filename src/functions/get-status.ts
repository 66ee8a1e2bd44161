// GET /api/status and /api/status/subscriptions/{subscriptionId}: the readiness summary, read from one entity.
import { readStatus, readSubscriptionStatus } from '../app/read-status.js';
import { services } from '../composition.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getStatus(
  _request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  return json(200, await readStatus(s.store, s.clock(), s.config.thresholds));
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
