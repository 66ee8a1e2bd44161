// The local host's queue trigger: polls a real Storage Queue (Azurite's) the way the Functions host's queue trigger
// does, so a scan's batches run locally as they do in Azure. What it copies, from
// https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger (polling algorithm,
// poison messages, concurrency) and https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json:
// - messages are fetched `batchSize` at a time (1-32, default 16) and run in parallel; a new batch is fetched once the
//   messages in flight fall to `newBatchThreshold` (default batchSize / 2): at most batchSize + newBatchThreshold run;
// - an empty queue is polled again after a random exponential back-off, up to `maxPollingInterval` (default 1 min,
//   at least 100 ms);
// - a message is fetched invisible for 10 minutes and kept invisible while its function runs (the WebJobs SDK's
//   message lease, renewed; https://github.com/Azure/azure-webjobs-sdk/issues/1040): a host that dies leaves it to
//   reappear once that runs out (`messageLeaseSeconds` here, short in the tests);
// - a function that throws gives its message back, visible again after `visibilityTimeout` (default 0);
// - `dequeueCount` counts the deliveries; a message that failed `maxDequeueCount` times (default 5) is moved to
//   `<queue>-poison`, and one handed out more often than that (its host died each time) goes there unrun.
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../src/app/ports.js';
import type { ReceivedMessage, StorageQueue } from '../src/adapters/queue/storage-queue.js';

export interface QueueTriggerOptions {
  readonly queue: StorageQueue;
  /** The function: resolves when the message is done (deleted), throws when it failed. */
  readonly handler: (message: ReceivedMessage) => Promise<void>;
  /** Runs for messages in the poison queue, if given (a poison-queue trigger). */
  readonly poisonHandler?: (message: ReceivedMessage) => Promise<void>;
  readonly batchSize?: number;
  readonly newBatchThreshold?: number;
  readonly maxPollingIntervalMs?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxDequeueCount?: number;
  /** How long a fetched message stays invisible, renewed at half of it while its function runs (10 minutes). */
  readonly messageLeaseSeconds?: number;
  readonly log: Logger;
}

export interface RunningQueueTrigger {
  /** Stops fetching and waits for the messages in flight. */
  stop(): Promise<void>;
  /** Stops at once as a dead host would: nothing in flight is deleted, released or renewed again. */
  kill(): void;
  /** Messages in flight now. */
  inFlight(): number;
}

const MIN_POLL_MS = 100;

export function startQueueTrigger(options: QueueTriggerOptions): RunningQueueTrigger {
  const batchSize = Math.min(32, Math.max(1, options.batchSize ?? 16));
  const threshold = options.newBatchThreshold ?? Math.floor(batchSize / 2);
  const maxPoll = Math.max(MIN_POLL_MS, options.maxPollingIntervalMs ?? 60_000);
  const retryAfter = options.visibilityTimeoutSeconds ?? 0;
  const maxDequeue = options.maxDequeueCount ?? 5;
  const leaseSeconds = options.messageLeaseSeconds ?? 600;
  const { queue, log } = options;
  let running = true;
  let dead = false;
  const inFlight = new Set<Promise<void>>();
  const wakers = new Set<() => void>();
  let stopped: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => (stopped = resolve));
  const wakeAll = () => {
    stopped();
    for (const w of [...wakers]) w();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      wakers.add(done);
    });

  const process = async (
    message: ReceivedMessage,
    handler: (m: ReceivedMessage) => Promise<void>,
    poison: boolean,
  ): Promise<void> => {
    let current = message;
    // Keeps the message invisible while the function runs (a renewed pop receipt replaces the old one).
    const renew = setInterval(
      () => {
        if (dead) return;
        const client = poison ? queue.poison : queue.queue;
        void client
          .updateMessage(current.id, current.popReceipt, undefined, leaseSeconds)
          .then((r) => {
            if (r.popReceipt) current = { ...current, popReceipt: r.popReceipt };
          })
          .catch(() => undefined);
      },
      (leaseSeconds * 1000) / 2,
    );
    renew.unref();
    try {
      await handler(current);
      clearInterval(renew);
      if (dead) return;
      if (poison) await queue.poison.deleteMessage(current.id, current.popReceipt);
      else await queue.delete(current);
    } catch (error) {
      clearInterval(renew);
      if (dead) return;
      const reason = error instanceof Error ? error.message : String(error);
      if (!poison && current.dequeueCount >= maxDequeue) {
        log.warn('queue message moved to the poison queue', {
          messageId: current.id,
          dequeueCount: current.dequeueCount,
          error: reason,
        });
        await queue.toPoison(current).catch(() => undefined);
      } else {
        log.warn('queue function failed; the message will be retried', {
          messageId: current.id,
          dequeueCount: current.dequeueCount,
          error: reason,
        });
        const client = poison ? queue.poison : queue.queue;
        await client
          .updateMessage(current.id, current.popReceipt, undefined, retryAfter)
          .catch(() => undefined);
      }
    }
  };

  const loop = async (which: 'queue' | 'poison') => {
    let delay = MIN_POLL_MS;
    const handler = which === 'queue' ? options.handler : options.poisonHandler;
    if (!handler) return;
    while (running) {
      if (inFlight.size > threshold) {
        await Promise.race([...inFlight, stopping]);
        continue;
      }
      let messages: ReceivedMessage[] = [];
      try {
        const client = which === 'queue' ? queue.queue : queue.poison;
        await queue.init();
        const response = await client.receiveMessages({
          numberOfMessages: batchSize,
          visibilityTimeout: leaseSeconds,
        });
        messages = response.receivedMessageItems.map((m) => ({
          id: m.messageId,
          popReceipt: m.popReceipt,
          dequeueCount: m.dequeueCount,
          text: m.messageText,
        }));
      } catch (error) {
        if (!running) return;
        log.warn('queue poll failed', {
          queue: which,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if (!running || dead) return;
      if (messages.length === 0) {
        // Random exponential back-off while the queue is empty.
        delay = Math.min(maxPoll, delay * 2);
        await sleep(MIN_POLL_MS + Math.random() * (delay - MIN_POLL_MS));
        continue;
      }
      delay = MIN_POLL_MS;
      for (const message of messages) {
        // Handed out more often than allowed (its hosts died): poisoned without running again.
        if (which === 'queue' && message.dequeueCount > maxDequeue) {
          log.warn('queue message moved to the poison queue', {
            messageId: message.id,
            dequeueCount: message.dequeueCount,
          });
          await queue.toPoison(message).catch(() => undefined);
          continue;
        }
        const task = process(message, handler, which === 'poison');
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      }
    }
  };

  const loops = [loop('queue'), loop('poison')];
  return {
    stop: async () => {
      running = false;
      wakeAll();
      await Promise.allSettled(loops);
      // A killed trigger's functions never finish: nothing is waited for.
      if (!dead) await Promise.allSettled(inFlight);
    },
    kill: () => {
      dead = true;
      running = false;
      wakeAll();
    },
    inFlight: () => inFlight.size,
  };
}

/** `hh:mm:ss` (host.json's TimeSpan) or a number of milliseconds, as host.json takes them. */
function timeSpanMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!m) return undefined;
  return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000;
}

/** The queue options host.json sets (`extensions.queues`). */
export type HostQueueOptions = Partial<
  Pick<
    QueueTriggerOptions,
    | 'batchSize'
    | 'newBatchThreshold'
    | 'maxPollingIntervalMs'
    | 'visibilityTimeoutSeconds'
    | 'maxDequeueCount'
  >
>;

/** The queue options of a host.json (`extensions.queues`), as the local trigger takes them. */
export function queueSettingsOf(hostJson: unknown): HostQueueOptions {
  const queues = (hostJson as { extensions?: { queues?: Record<string, unknown> } }).extensions
    ?.queues;
  if (!queues) return {};
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const poll = timeSpanMs(queues.maxPollingInterval);
  const retry = timeSpanMs(queues.visibilityTimeout);
  const out = {
    batchSize: num(queues.batchSize),
    newBatchThreshold: num(queues.newBatchThreshold),
    maxPollingIntervalMs: poll,
    visibilityTimeoutSeconds: retry === undefined ? undefined : retry / 1000,
    maxDequeueCount: num(queues.maxDequeueCount),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The package's host.json (dist/dev/*.js → ../../host.json; dev/*.ts → ../host.json), or `{}` without one. */
export function readHostJson(): unknown {
  const built = import.meta.url.includes('/dist/dev/');
  const path = new URL(built ? '../../host.json' : '../host.json', import.meta.url);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : {};
}
