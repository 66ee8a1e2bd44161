// Queue triggers of a scan run as batches: one scans a batch (fetch, evaluate, reconcile its subscriptions) and
// reports; the other takes the batches that went to the poison queue (they failed maxDequeueCount times) and reports
// their subscriptions failed, so the scan still ends — `partial`, naming them.
import { z } from 'zod';
import { failBatch, runBatch, type BatchOutcome } from '../app/scan-batches.js';
import type { BatchMessage } from '../app/ports.js';
import { batchScanDepsOf, services } from '../composition.js';
import type { ContextLike } from './http.js';
import { checkScannerHealth } from './scan-readiness.js';

const MESSAGE = z.object({
  scanId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/),
  batch: z.number().int().min(0).max(100_000),
  subscriptionIds: z.array(z.string().min(1).max(200)).min(1).max(1000),
});

/** The message as the host hands it over: the JSON already parsed, or its text (base64 or not). */
export function parseBatchMessage(raw: unknown): BatchMessage {
  let value = raw;
  if (typeof raw === 'string') {
    const text = /^[A-Za-z0-9+/=\s]+$/.test(raw)
      ? Buffer.from(raw, 'base64').toString('utf8')
      : raw;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error('the queue message is not JSON');
    }
  }
  const parsed = MESSAGE.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `the queue message is not a scan batch: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

function depsOrThrow() {
  const deps = batchScanDepsOf(services());
  if (!deps)
    throw new Error(
      'no scan queue is configured (SCAN_QUEUE_ENDPOINT or SCAN_QUEUE_CONNECTION_STRING)',
    );
  return deps;
}

async function after(outcome: BatchOutcome, message: BatchMessage, context: ContextLike) {
  if (outcome.kind === 'dropped') {
    context.log(`batch ${message.batch} of ${message.scanId} dropped: ${outcome.reason}`);
    return;
  }
  const closed = outcome.closed;
  if (closed) {
    context.log(
      `scan ${closed.id} ${closed.status}: ${closed.resources} resources, ${closed.counts.open} open findings`,
    );
    await checkScannerHealth(context);
  }
}

export async function scanBatch(raw: unknown, context: ContextLike): Promise<void> {
  const message = parseBatchMessage(raw);
  const outcome = await runBatch(depsOrThrow(), message);
  await after(outcome, message, context);
}

export async function scanBatchPoison(raw: unknown, context: ContextLike): Promise<void> {
  let message: BatchMessage;
  try {
    message = parseBatchMessage(raw);
  } catch (error) {
    // Nothing to report for a message that is no batch: dropped, said once.
    context.error(
      `poison message dropped: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  const outcome = await failBatch(
    depsOrThrow(),
    message,
    'its batch failed on every attempt and went to the poison queue; findings kept as they were',
  );
  await after(outcome, message, context);
}
