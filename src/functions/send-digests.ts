// Timer trigger: e-mail owners their digests on DIGEST_SCHEDULE (off when Communication Services is not configured).
import type { Timer } from '@azure/functions';
import { sendDigests } from '../app/send-digests.js';
import { AlreadyRunningError } from '../app/ports.js';
import { digestDepsOf, services } from '../composition.js';
import type { ContextLike } from './http.js';
import { checkScannerHealth } from './scan-readiness.js';

export async function runDigests(context: ContextLike): Promise<void> {
  const deps = digestDepsOf(services());
  if (!deps) {
    context.log(
      'digests are off: set COMMUNICATION_SERVICES_ENDPOINT and EMAIL_SENDER to send them',
    );
    return;
  }
  try {
    const run = await sendDigests(deps);
    context.log(
      `digests: ${run.sent} sent, ${run.resent} re-sent, ${run.failed} failed, ${run.deferred} left for the next run`,
    );
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      context.log(`digests skipped: ${error.message}`);
      return;
    }
    throw error;
  }
}

export async function sendDigestsTimer(_timer: Timer, context: ContextLike): Promise<void> {
  try {
    await runDigests(context);
  } finally {
    // Also catches a scanner gone stale: this timer runs even when scans do not.
    await checkScannerHealth(context);
  }
}
