// `npm start`: the whole local stack — Azurite, the Resource Graph emulator with the demo tenant, and the local host.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../src/config.js';
import { batchScanDepsOf, createServices, services, setServices } from '../src/composition.js';
import { planScan } from '../src/app/scan-batches.js';
import { AlreadyRunningError } from '../src/app/ports.js';
import { queueSettingsOf, readHostJson } from './queue-trigger.js';
import { functionsFor } from '../src/functions/registry.js';
import { runScheduledScan } from '../src/functions/scan-readiness.js';
import { jsonLogger } from '../src/adapters/logger.js';
import { startAzurite } from './azurite.js';
import { startIdentityEndpoint } from './identity/endpoint.js';
import { createSelfSignedCert } from './tls.js';
import { generateFunctionKey, startLocalHost } from './host.js';
import { preferredPort } from './ports.js';
import { startResourceGraphEmulator } from './emulators/resource-graph/server.js';
import { demoTenant } from './tenants/demo.js';
import { syntheticTenant } from './tenants/synthetic.js';
import { startEmailEmulator } from './emulators/email/index.js';
import { runDigests } from '../src/functions/send-digests.js';

const USAGE = `Usage: npm start [-- options]

The whole local stack: Azurite, the Resource Graph and Communication Services emulators, and the app's functions
on a local host; a first scan, then a digest.

Options:
  --port <n>              the local host's port (default 7071)
  --tenant <name>         the tenant the Resource Graph emulator serves: demo (default), or synthetic
  --subscriptions <n>     with --tenant synthetic: how many subscriptions (default 50)
  --resources <n>         with --tenant synthetic: how many resources (default 5000)
  --state-dir <dir>       where Azurite's data, certificates and the outbox live (default .local)
  --test-fixtures         with --tenant demo: add the TEST FIXTURE subscription of hostile names (for tests)
  --quiet                 no log lines, only the summary
  -h, --help              this text

Environment: CREDENTIAL_MODE=default runs the production identity path (a local managed-identity endpoint, no
key anywhere); LOCAL_FUNCTION_KEY sets the function key (else one is kept in <state-dir>/function-key).
`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '7071' },
        tenant: { type: 'string', default: 'demo' },
        subscriptions: { type: 'string', default: '50' },
        resources: { type: 'string', default: '5000' },
        'state-dir': { type: 'string', default: '.local' },
        quiet: { type: 'boolean', default: false },
        'test-fixtures': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseOptions();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const count = (name: 'port' | 'subscriptions' | 'resources', max: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(
      `--${name}: "${values[name]}" is not a whole number from 1 to ${max}\n\n${USAGE}`,
    );
    process.exit(2);
  }
  return n;
};
const port = count('port', 65_535);
if (values.tenant !== 'demo' && values.tenant !== 'synthetic') {
  process.stderr.write(`--tenant: "${values.tenant}" is not demo or synthetic\n\n${USAGE}`);
  process.exit(2);
}
const tenant =
  values.tenant === 'synthetic'
    ? syntheticTenant({
        subscriptions: count('subscriptions', 20_000),
        resources: count('resources', 1_000_000),
      })
    : demoTenant({ testFixtures: values['test-fixtures'] === true });

/** Plans the first scan on the queue and waits for the batch workers to close it. */
async function firstScan(say: (line: string) => void): Promise<void> {
  const s = services();
  const deps = batchScanDepsOf(s);
  if (!deps) {
    await runScheduledScan('startup', {
      invocationId: 'startup',
      log: (...args) => say(`  first scan: ${args.map(String).join(' ')}`),
      error: (...args) => say(`  first scan failed: ${args.map(String).join(' ')}`),
    });
    return;
  }
  let planned;
  try {
    planned = await planScan(deps, { scope: s.config.scope, trigger: 'startup' });
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      say(`  first scan skipped: ${error.message}`);
      return;
    }
    throw error;
  }
  say(
    `  first scan: ${planned.scanId}, ${planned.batches} ${planned.batches === 1 ? 'batch' : 'batches'} on queue ${s.config.scanQueue.name}`,
  );
  let record = planned.record;
  while (record.status === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    record = (await s.store.listScans(5)).find((r) => r.id === planned.scanId) ?? record;
  }
  say(
    `  first scan: scan ${record.id} ${record.status}: ${record.resources} resources, ${record.counts.open} open findings`,
  );
}

async function main(): Promise<void> {
  const stateDir = resolve(values['state-dir'] ?? '.local');
  for (const dir of ['azurite', 'certs', 'outbox'])
    mkdirSync(join(stateDir, dir), { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const log = values.quiet
    ? jsonLogger(() => undefined)
    : jsonLogger((line) => process.stderr.write(`${line}\n`));

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping the local stack...');
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // CREDENTIAL_MODE=default: the production path. A local managed-identity endpoint (the App Service protocol)
    // gives DefaultAzureCredential its tokens; Azurite (HTTPS, --oauth basic) and the emulators accept only
    // tokens for their own audience. No key or connection string is configured.
    const identityMode = process.env.CREDENTIAL_MODE === 'default';
    const identity = identityMode ? await startIdentityEndpoint() : undefined;
    if (identity) stops.push(() => identity.close());
    const trust = identity ? { identity: { publicKey: identity.publicKey } } : {};
    const azurite = await startAzurite({
      location: join(stateDir, 'azurite'),
      port: await preferredPort(10002),
      ...(identity ? { oauth: await createSelfSignedCert() } : {}),
    });
    stops.push(() => azurite.stop());
    const graph = await startResourceGraphEmulator({
      tenant,
      port: await preferredPort(8443),
      ...trust,
    });
    stops.push(() => graph.close());
    const caFile = join(stateDir, 'certs', 'resource-graph-ca.pem');
    writeFileSync(caFile, graph.ca);
    const outbox = join(stateDir, 'outbox');
    const email = await startEmailEmulator({ outbox, port: await preferredPort(8444), ...trust });
    stops.push(() => email.close());
    const emailCaFile = join(stateDir, 'certs', 'email-ca.pem');
    writeFileSync(emailCaFile, email.ca);
    const tablesCaFile = join(stateDir, 'certs', 'tables-ca.pem');
    if (azurite.ca) writeFileSync(tablesCaFile, azurite.ca);
    // What the Functions host sets for an app with a user-assigned identity (AZURE_CLIENT_ID names it).
    if (identity) Object.assign(process.env, identity.env('user'));

    // Embedded defaults for the local stack; anything already in the environment wins.
    const env: Record<string, string | undefined> = {
      SCAN_SCOPE: 'tenant',
      CREDENTIAL_MODE: 'emulator',
      RESOURCE_GRAPH_ENDPOINT: graph.url,
      RESOURCE_GRAPH_CA_FILE: caFile,
      ...(identity
        ? {
            // A managed-identity token goes to the local emulator only because we say it is ours.
            RESOURCE_GRAPH_ENDPOINT_TRUSTED: 'true',
            TABLES_ENDPOINT: azurite.tableEndpoint,
            TABLES_CA_FILE: tablesCaFile,
            SCAN_QUEUE_ENDPOINT: azurite.queueEndpoint,
            SCAN_QUEUE_CA_FILE: tablesCaFile,
            COMMUNICATION_SERVICES_ENDPOINT: email.endpoint,
          }
        : {
            TABLES_CONNECTION_STRING: azurite.connectionString,
            SCAN_QUEUE_CONNECTION_STRING: azurite.connectionString,
            COMMUNICATION_SERVICES_CONNECTION_STRING: email.connectionString,
          }),
      COMMUNICATION_SERVICES_CA_FILE: emailCaFile,
      EMAIL_SENDER: 'readiness@contoso.example',
      DIGEST_DEFAULT_RECIPIENTS: 'platform-team@contoso.example',
      // The demo tenant's owners are at contoso.com; an owner tag anywhere else is refused.
      EMAIL_ALLOWED_DOMAINS: 'contoso.com,contoso.example',
      DASHBOARD_URL: `http://localhost:${port}/api/dashboard`,
      ...process.env,
    };
    const config = loadConfig(env);
    const services = createServices(config, log);
    setServices(services);

    // The function key of the routes with authLevel function: LOCAL_FUNCTION_KEY, else one kept in the state
    // folder (created once). It is never printed: read it from the file.
    const keyFile = join(stateDir, 'function-key');
    const functionKey =
      process.env.LOCAL_FUNCTION_KEY ||
      (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '') ||
      generateFunctionKey();
    if (!process.env.LOCAL_FUNCTION_KEY)
      writeFileSync(keyFile, `${functionKey}\n`, { mode: 0o600 });
    const host = await startLocalHost({
      functionKey,
      // APP_SERVICE_AUTHENTICATION=true: the people's routes behind the local sign-in stand-in, as in Azure.
      functions: functionsFor(config.appServiceAuthentication),
      signIn: config.appServiceAuthentication,
      schedule: (setting) =>
        setting === 'SCAN_SCHEDULE' ? config.scanSchedule : config.digestSchedule,
      port,
      log,
      // The scan's batches run from Azurite's queue, polled with host.json's queue options.
      ...(services.batches
        ? { queues: { queue: services.batches.queue, settings: queueSettingsOf(readHostJson()) } }
        : {}),
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new Error(
          `port ${port} is busy (another npm start?): pick another with npm start -- --port ${port + 1}`,
        );
      throw error;
    });
    stops.push(() => host.close());

    say('');
    say('Azure readiness scanner — local stack');
    say(`  status     ${host.url}/api/status`);
    say(`  dashboard  ${host.url}/api/dashboard`);
    say(`  health     ${host.url}/api/health`);
    say(`  outbox     ${outbox}`);
    const keyRoutes = config.appServiceAuthentication
      ? 'the API routes need it'
      : 'every route but health and the rule docs needs it';
    say(
      process.env.LOCAL_FUNCTION_KEY
        ? `  key        LOCAL_FUNCTION_KEY (${keyRoutes})`
        : `  key        ${keyFile} (${keyRoutes}: ?code=KEY or the x-functions-key header)`,
    );
    if (config.appServiceAuthentication)
      say(
        `  sign-in    ${host.url}/.auth/login/aad?user=you@contoso.com (add &roles=${config.platformTeam.appRole ?? 'ROLE'} or &groups=${config.platformTeam.groupId ?? 'GROUP'} for the platform team)`,
      );
    say(
      `  emulators  Resource Graph ${graph.url} (demo tenant), e-mail ${email.endpoint}, Azurite :${azurite.port}`,
    );
    say(
      identity
        ? `  identity   managed identity ${identity.endpoint} (CREDENTIAL_MODE=default: no key or connection string)`
        : '  identity   fixed emulator token and connection strings (CREDENTIAL_MODE=default npm start for managed identity)',
    );
    say('  Ctrl-C stops everything.');
    say('');

    // First scan at start-up (the Functions host's runOnStartup is not for production; this is local only), through
    // the queue as in Azure: planned here, its batches run by the local host's queue trigger.
    await firstScan(say).catch((error: unknown) =>
      say(`  first scan failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    // Locally, a digest follows the first scan (in Azure it runs on DIGEST_SCHEDULE).
    await runDigests({
      invocationId: 'startup',
      log: (...args) => say(`  ${args.map(String).join(' ')} (outbox: ${outbox})`),
      error: (...args) => say(`  digests failed: ${args.map(String).join(' ')}`),
    }).catch((error: unknown) =>
      say(`  digests failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  } catch (error) {
    say(
      error instanceof ConfigError
        ? error.message
        : `Start-up failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    await stop(1);
  }
}

void main();
