// GET /api/health: anonymous liveness, cheap, no data.
import { json, type ContextLike, type HttpRequestLike, type HttpResponseInit } from './http.js';

export async function health(
  _request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  return json(200, { status: 'ok' });
}
