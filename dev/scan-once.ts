// Runs one scan with the settings in the environment and exits: 0 succeeded, 1 partial or failed, 2 could not start.
import { ConfigError } from '../src/config.js';
import { createServices, scanDepsOf } from '../src/composition.js';
import { runScan } from '../src/app/run-scan.js';
import { AlreadyRunningError } from '../src/app/ports.js';

async function main(): Promise<number> {
  try {
    const s = createServices();
    const record = await runScan(scanDepsOf(s), { scope: s.config.scope, trigger: 'cli' });
    return record.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AlreadyRunningError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `scan failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
