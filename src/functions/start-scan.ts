// POST /api/scans: start a scan now. 202 with the scan id once the lease is held; 409 while another scan runs.
import { runScan } from '../app/run-scan.js';
import { AlreadyRunningError } from '../app/ports.js';
import { scanDepsOf, services } from '../composition.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';
import { parseQuery } from './params.js';
import { requireJsonContentType } from './request-body.js';

export async function startScan(
  request: HttpRequestLike,
  context: ContextLike,
): Promise<HttpResponseInit> {
  // A JSON request cannot be sent cross-site without a CORS preflight; a bare or form POST can.
  const unsupported = requireJsonContentType(request);
  if (unsupported) return unsupported;
  const query = parseQuery(request.query, {});
  if (!query.ok) return query.response;
  const s = services();
  let resolveStarted: (id: string) => void = () => undefined;
  const started = new Promise<string>((resolve) => (resolveStarted = resolve));
  // The scan goes on after the response; the lease keeps timer runs out meanwhile, and if the
  // instance is recycled mid-scan the lease expires and the next run reconciles.
  const done = runScan(scanDepsOf(s), {
    scope: s.config.scope,
    trigger: 'http',
    onStarted: resolveStarted,
  });
  try {
    const scanId = await Promise.race([started, done.then((record) => record.id)]);
    done.catch((error: unknown) =>
      context.error(
        `scan ${scanId} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    return json(202, { scanId, status: 'running' }, { Location: '/api/status' });
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      return problem(
        409,
        'ScanAlreadyRunning',
        `a scan is already running (lease until ${error.expiresAt}); try again later`,
      );
    }
    throw error;
  }
}
