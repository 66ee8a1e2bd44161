// azd preprovision hook: derives the "scanner silent" alert's window and evaluation frequency from SCAN_SCHEDULE and
// stores them in the azd environment (SCAN_SILENCE_WINDOW_MINUTES, SCAN_SILENCE_FREQUENCY_MINUTES), which
// infra/main.parameters.json passes to infra/main.bicep. A schedule that is not valid NCRONTAB, or whose two intervals
// do not fit in the longest window Azure Monitor accepts (2 days), stops the provisioning here with a message.
//
//   node infra/hooks/alert-window.mjs [--root DIR] [--no-build] [--print]
//
// It uses the app's own schedule code (src/core/schedule.ts, src/core/alert-window.ts), so it builds the app first.
// --print writes the values as JSON instead of calling `azd env set`.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--root');
const root =
  at >= 0 && args[at + 1]
    ? resolve(args[at + 1])
    : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = !args.includes('--no-build');
const print = args.includes('--print');

if (build) execSync('npm run build', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const load = async (path) => {
  const file = join(root, 'dist', 'src', path);
  if (!existsSync(file)) {
    console.error(`alert-window: missing ${file} (run npm run build first?)`);
    process.exit(1);
  }
  return import(pathToFileURL(file).href);
};
const { SETTINGS, validateSchedule } = await load('config.js');
const { scheduleIntervalMs } = await load('core/schedule.js');
const { silenceAlertFor } = await load('core/alert-window.js');

const schedule = (process.env.SCAN_SCHEDULE ?? '').trim() || SETTINGS.SCAN_SCHEDULE;
const invalid = validateSchedule(schedule);
if (invalid) {
  console.error(`alert-window: SCAN_SCHEDULE ${invalid}`);
  process.exit(1);
}
const alert = silenceAlertFor(scheduleIntervalMs(schedule, new Date()));
if (!alert.ok) {
  console.error(`alert-window: ${alert.message}`);
  process.exit(1);
}

const values = {
  SCAN_SILENCE_WINDOW_MINUTES: String(alert.windowMinutes),
  SCAN_SILENCE_FREQUENCY_MINUTES: String(alert.frequencyMinutes),
};
if (print) {
  console.log(JSON.stringify(values));
} else {
  for (const [name, value] of Object.entries(values)) {
    execFileSync('azd', ['env', 'set', name, value], { stdio: 'inherit' });
  }
  console.log(
    `alert-window: SCAN_SCHEDULE "${schedule}": the silence alert counts scans over ` +
      `${alert.windowMinutes} min, every ${alert.frequencyMinutes} min`,
  );
}
