// Timer trigger: scan the tenant on SCAN_SCHEDULE — planned as batches on the scan queue when one is configured, else in
// this invocation — then check the scanner's own health. A run that finds another scan running steps aside.
import type { Timer } from '@azure/functions';
import { checkOperations } from '../app/operations.js';
import { runScan } from '../app/run-scan.js';
import { AlreadyRunningError, type ScanTrigger } from '../app/ports.js';
import { batchScanDepsOf, operationsDepsOf, scanDepsOf, services } from '../composition.js';
import { planScan } from '../app/scan-batches.js';
import type { ContextLike } from './http.js';

/** Operator incidents (failing, stale, lost coverage): checked after every scan and digest run. */
export async function checkScannerHealth(context: ContextLike): Promise<void> {
  try {
    const check = await checkOperations(operationsDepsOf(services()));
    if (check.opened.length || check.recovered.length) {
      context.log(
        `operator incidents: opened ${check.opened.join(', ') || 'none'}; recovered ${check.recovered.join(', ') || 'none'}`,
      );
    }
  } catch (error) {
    context.error(
      `operator check failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export async function runScheduledScan(trigger: ScanTrigger, context: ContextLike): Promise<void> {
  const s = services();
  try {
    const batches = batchScanDepsOf(s);
    if (batches) {
      // The scan as a plan of batches on the queue: the batch worker closes it (and checks health then).
      const planned = await planScan(batches, { scope: s.config.scope, trigger });
      context.log(
        planned.record.status === 'running'
          ? `scan ${planned.scanId} planned: ${planned.batches} batches queued`
          : `scan ${planned.scanId} ${planned.record.status}: ${planned.record.error ?? 'nothing to queue'}`,
      );
      return;
    }
    const record = await runScan(scanDepsOf(s), { scope: s.config.scope, trigger });
    context.log(
      `scan ${record.id} ${record.status}: ${record.resources} resources, ${record.counts.open} open findings`,
    );
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      context.log(`scan skipped: ${error.message}`);
      return;
    }
    throw error;
  } finally {
    await checkScannerHealth(context);
  }
}

export async function scanReadiness(_timer: Timer, context: ContextLike): Promise<void> {
  await runScheduledScan('timer', context);
}
