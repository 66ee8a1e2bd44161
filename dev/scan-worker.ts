// `node dist/dev/scan-worker.js`: one more Function instance on the scan queue, in its own process — the app's queue
// functions (scanBatch and its poison twin) run by the local queue trigger, with the app's own composition (its own
// Resource Graph client and pacer, as a second instance in Azure has), until SIGTERM or SIGINT (it then finishes the
// batches in flight) or SIGKILL (as an instance recycled mid-batch: its messages reappear after the message lease).
// The bench runs two of them on one queue and kills one; `npm start` users can add one to a running local stack.
import { parseArgs } from 'node:util';
import { jsonLogger } from '../src/adapters/logger.js';
import { createServices, setServices } from '../src/composition.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { FUNCTIONS } from '../src/functions/registry.js';
import { startQueueFunctions, type QueueSettings } from './host.js';
import { queueSettingsOf, readHostJson } from './queue-trigger.js';

const USAGE = `Usage: node dist/dev/scan-worker.js [options]

Runs the app's scan-queue functions (a scan's batches, and its poison queue) as one more Function instance would,
until SIGTERM or SIGINT (the batches in flight finish first). Settings come from the environment, as the app's do:
SCAN_QUEUE_CONNECTION_STRING (or SCAN_QUEUE_ENDPOINT) and SCAN_QUEUE_NAME, TABLES_CONNECTION_STRING (or
TABLES_ENDPOINT) and TABLE_PREFIX, RESOURCE_GRAPH_ENDPOINT and RESOURCE_GRAPH_CA_FILE, CREDENTIAL_MODE, ...
The queue options are host.json's (extensions.queues); the options below override them.

Options:
  --message-lease <s>          how long a fetched message stays invisible, renewed at half of it while it runs
                               (default 600: the Functions host's 10 minutes); a killed worker's messages
                               reappear after it
  --max-polling-interval <ms>  longest wait between polls of an empty queue (default host.json's)
  --batch-size <n>             messages fetched and run at once, 1-32 (default host.json's)
  -h, --help                   this text

Logs: one JSON line per event on standard output ("scan worker started", the functions' own lines, and at the
end "scan worker stopped" with the Resource Graph pages, rows and 429s of this worker).
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function options(): QueueSettings {
  let values;
  try {
    values = parseArgs({
      options: {
        'message-lease': { type: 'string' },
        'max-polling-interval': { type: 'string' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const whole = (name: string, value: string | undefined, min: number, max: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      fail(`--${name}: "${value}" is not a whole number from ${min} to ${max}\n\n${USAGE}`);
    return n;
  };
  const lease = whole('message-lease', values['message-lease'], 1, 3_600);
  const poll = whole('max-polling-interval', values['max-polling-interval'], 100, 600_000);
  const batch = whole('batch-size', values['batch-size'], 1, 32);
  return {
    ...queueSettingsOf(readHostJson()),
    ...(lease !== undefined ? { messageLeaseSeconds: lease } : {}),
    ...(poll !== undefined ? { maxPollingIntervalMs: poll } : {}),
    ...(batch !== undefined ? { batchSize: batch, newBatchThreshold: Math.floor(batch / 2) } : {}),
  };
}

function main(): void {
  const settings = options();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  const log = jsonLogger();
  const services = createServices(config, log);
  if (!services.batches)
    fail('no scan queue is configured: set SCAN_QUEUE_CONNECTION_STRING or SCAN_QUEUE_ENDPOINT');
  setServices(services);
  const trigger = startQueueFunctions({
    functions: FUNCTIONS,
    queue: services.batches.queue,
    settings,
    log,
  });
  if (!trigger) fail('the app registers no queue function');
  log.info('scan worker started', {
    pid: process.pid,
    queue: config.scanQueue.name,
    tablePrefix: config.tablePrefix,
    ...settings,
  });
  // The trigger's timers do not hold a process open (the host's server does): this one does, until stopped.
  const alive = setInterval(() => undefined, 60_000);
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void trigger
      .stop()
      .then(() => services.source.close?.())
      .then(() => {
        clearInterval(alive);
        log.info('scan worker stopped', { pid: process.pid, ...services.source.stats() });
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
