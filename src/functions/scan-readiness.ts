// Timer trigger: scan the tenant on SCAN_SCHEDULE, then check the scanner's own health. A run that finds another scan running steps aside.
import type { Timer } from '@azure/functions';
import { checkOperations } from '../app/operations.js';
import { runScan } from '../app/run-scan.js';
import { AlreadyRunningError, type ScanTrigger } from '../app/ports.js';
import { operationsDepsOf, scanDepsOf, services } from '../composition.js';
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
