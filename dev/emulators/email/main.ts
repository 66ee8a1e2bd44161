// Starts the e-mail emulator on its own: `node dist/dev/emulators/email/main.js --port 7443 --outbox .local/outbox`.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startEmailEmulator } from './emulator.js';

const USAGE =
  'Usage: main.js [--port N] [--host ADDR] [--outbox DIR] [--access-key BASE64] [--ca-file PEM_PATH]\n' +
  'Prints the connection string; --ca-file writes the self-signed certificate for clients to trust.';

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        outbox: { type: 'string', default: '.local/outbox' },
        'access-key': { type: 'string' },
        'ca-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseCommandLine();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${values.port}"`);
  process.exit(2);
}

const emulator = await startEmailEmulator({
  outbox: values.outbox,
  port,
  host: values.host,
  ...(values['access-key'] ? { accessKey: values['access-key'] } : {}),
  log: (line) => console.log(JSON.stringify(line)),
});
if (values['ca-file']) await writeFile(values['ca-file'], emulator.ca, 'utf8');

console.log(`E-mail emulator listening on ${emulator.endpoint}, writing to ${values.outbox}`);
console.log(`COMMUNICATION_SERVICES_CONNECTION_STRING=${emulator.connectionString}`);
if (!values['ca-file']) console.log(`Trust this certificate (or pass --ca-file):\n${emulator.ca}`);

// Ctrl-C and `kill` close the listener cleanly so the port is free for the next start.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
