// Standalone entry of the Resource Graph emulator: `node dist/dev/emulators/resource-graph/main.js --help`.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { demoTenant } from '../../tenants/demo.js';
import { syntheticTenant } from '../../tenants/synthetic.js';
import { parseLatency } from './latency.js';
import { parseQuota } from './quota.js';
import { startResourceGraphEmulator, type Tenant } from './server.js';

const USAGE = `Azure Resource Graph emulator (HTTPS, self-signed certificate)

Options:
  --port N             port to listen on (default 8443; 0 = any free port)
  --host H             address to bind (default 127.0.0.1)
  --tenant demo|synthetic
                       the bundled demo tenant (default) or a generated one
  --subscriptions N    synthetic: number of subscriptions (default 20)
  --resources M        synthetic: number of resources (default 10000)
  --seed S             synthetic: PRNG seed (default 1)
  --quota R/W          per-user quota, e.g. 15/5s (default), 3/1000ms, 100/1m
  --page-size N        largest accepted $top (default 1000)
  --latency L          answer delays: off (default), default (300 ms + 0.7 ms a row ±20 %,
                       a full page ≈ 1 s), or BASE+PERROW[±JITTER] in ms, e.g. 300+0.7±0.2
  --ca-out FILE        write the certificate (PEM) clients must trust
  --log                one JSON line per request on stderr
  -h, --help           this text

Admin (no auth): PUT /_emulator/faults (JSON FaultOptions), GET /_emulator/stats
Clients: trust the certificate via tlsOptions.ca or NODE_EXTRA_CA_CERTS=FILE.`;

function positiveInt(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      tenant: { type: 'string' },
      subscriptions: { type: 'string' },
      resources: { type: 'string' },
      seed: { type: 'string' },
      quota: { type: 'string' },
      'page-size': { type: 'string' },
      latency: { type: 'string' },
      'ca-out': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const kind = values.tenant ?? 'demo';
  let tenant: Tenant;
  if (kind === 'demo') tenant = demoTenant();
  else if (kind === 'synthetic') {
    tenant = syntheticTenant({
      subscriptions: positiveInt(values.subscriptions, 'subscriptions', 20),
      resources: positiveInt(values.resources, 'resources', 10_000, 0),
      seed: positiveInt(values.seed, 'seed', 1, 0),
    });
  } else throw new Error(`--tenant must be demo or synthetic, got "${kind}"`);

  const emulator = await startResourceGraphEmulator({
    tenant,
    port: positiveInt(values.port, 'port', 8443, 0),
    host: values.host ?? '127.0.0.1',
    quota: values.quota ? parseQuota(values.quota) : undefined,
    maxPageSize: positiveInt(values['page-size'], 'page-size', 1000),
    ...(values.latency ? { latency: parseLatency(values.latency) } : {}),
    log: values.log ? (line) => process.stderr.write(`${JSON.stringify(line)}\n`) : undefined,
  });
  if (values['ca-out']) await writeFile(values['ca-out'], emulator.ca, 'utf8');

  console.log(`Resource Graph emulator listening on ${emulator.url}`);
  console.log(
    `  tenant: ${kind}, ${tenant.subscriptions.length} subscriptions, ${tenant.resources.length} resources`,
  );
  if (values['ca-out']) console.log(`  CA certificate: ${values['ca-out']}`);

  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error('Run with --help for usage.');
  process.exit(2);
});
