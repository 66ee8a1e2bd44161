// GET /api/health: anonymous and cheap (one cached entity): `ok`, or `degraded` with the reason — still 200, the app is alive.
import { healthView } from '../app/read-status.js';
import { services } from '../composition.js';
import { summary } from './get-status.js';
import { json, type ContextLike, type HttpRequestLike, type HttpResponseInit } from './http.js';

export async function health(
  _request: HttpRequestLike,
  context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  try {
    return json(200, healthView(await summary(), s.clock(), s.config.scanSchedule));
  } catch (error) {
    // The app answers, its store does not: that is degraded, not down. No detail leaks out.
    context.error(
      `health: the store could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
    return json(200, {
      status: 'degraded',
      reasons: ['the findings store cannot be read'],
      lastScan: null,
    });
  }
}
