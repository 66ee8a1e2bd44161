// POST /api/scans: start a scan now. 202 at once with the scan id and where to follow it (the status, whose lastScan
// carries the running scan's progress) once the lease is held; 409 while another scan runs.
import { runScan } from '../app/run-scan.js';
import { AlreadyRunningError } from '../app/ports.js';
import { batchScanDepsOf, scanDepsOf, services } from '../composition.js';
import { planScan } from '../app/scan-batches.js';
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
  // 202 as soon as the lease is held and the scan record written. With a scan queue the rest of this invocation only
  // plans the scan (list, index, enqueue the batches) and the queue-triggered workers scan it; without one the scan
  // runs here after the response. Either way the lease keeps timer runs out, and if the instance is recycled
  // meanwhile the lease expires and the next run reconciles.
  const batches = batchScanDepsOf(s);
  const done = batches
    ? planScan(batches, { scope: s.config.scope, trigger: 'http', onStarted: resolveStarted }).then(
        (planned) => planned.record,
      )
    : runScan(scanDepsOf(s), {
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
    // The status shows the running scan's progress (lastScan.progress) until it ends.
    return json(
      202,
      { scanId, status: 'running', statusLocation: '/api/status' },
      { Location: '/api/status' },
    );
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
