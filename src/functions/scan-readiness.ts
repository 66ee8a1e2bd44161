// Timer trigger: scan the tenant on SCAN_SCHEDULE. A run that finds another scan running steps aside.
import type { Timer } from '@azure/functions';
import { runScan } from '../app/run-scan.js';
import { AlreadyRunningError, type ScanTrigger } from '../app/ports.js';
import { scanDepsOf, services } from '../composition.js';
import type { ContextLike } from './http.js';

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
  }
}

export async function scanReadiness(_timer: Timer, context: ContextLike): Promise<void> {
  await runScheduledScan('timer', context);
}
