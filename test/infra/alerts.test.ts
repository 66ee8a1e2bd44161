// The log alerts in infra/: every windowSize and evaluationFrequency is one Azure Monitor accepts, for the default
// SCAN_SCHEDULE and others (the values infra/hooks/alert-window.mjs derives); the queries read the table and columns
// the app's `scan ended` lines land in on Flex Consumption; host.json never samples those lines away.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { ACCEPTED_ALERT_MINUTES, silenceAlertFor } from '../../src/core/alert-window.js';
import { scheduleIntervalMs } from '../../src/core/schedule.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const HOOK = join(ROOT, 'infra', 'hooks', 'alert-window.mjs');

function bicepFiles(dir = 'infra'): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return bicepFiles(path);
    return path.endsWith('.bicep') ? [path] : [];
  });
}

/** Minutes of an ISO 8601 duration as scheduled query rules take it (PT5M, PT1H, P1D, PT1440M). */
function durationMinutes(value: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T'))
    throw new Error(`not an ISO 8601 duration: ${value}`);
  return Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** The numbers of an `@allowed([...])` decorator right above `param NAME int`. */
function allowedOf(source: string, param: string): number[] {
  const match = new RegExp(`@allowed\\(\\[([^\\]]*)\\]\\)\\s*\\nparam ${param} int`).exec(source);
  if (!match?.[1]) throw new Error(`no @allowed list on param ${param}`);
  return match[1]
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
}

/** `param NAME int = 123`: the default. */
function intDefault(source: string, param: string): number {
  const match = new RegExp(`^param ${param} int = (\\d+)$`, 'm').exec(source);
  if (!match?.[1]) throw new Error(`no literal default on param ${param}`);
  return Number(match[1]);
}

/** Every `windowSize:` / `evaluationFrequency:` in infra/, with the Bicep parameters it interpolates replaced. */
function alertDurations(values: Record<string, number>): { where: string; minutes: number }[] {
  return bicepFiles().flatMap((file) =>
    [...read(file).matchAll(/^\s*(windowSize|evaluationFrequency):\s*(.+)$/gm)].map((match) => {
      const literal = /^'([^']*)'$/.exec((match[2] ?? '').trim());
      if (!literal?.[1])
        throw new Error(`${file}: ${match[1]} is not a string literal: ${match[2]}`);
      const text = literal[1].replace(/\$\{(\w+)\}/g, (_, name: string) => {
        if (!(name in values))
          throw new Error(`${file}: ${match[1]} uses ${name}, which the test cannot evaluate`);
        return String(values[name]);
      });
      return { where: `${file} ${match[1]} ${text}`, minutes: durationMinutes(text) };
    }),
  );
}

const MAIN = read('infra/main.bicep');
const ALERTS = read('infra/modules/alerts.bicep');
const PARAMETERS = read('infra/main.parameters.json');
const now = new Date('2026-11-26T12:00:00Z');

describe('scheduled query rule windows and frequencies', () => {
  it('finds the rules (two windowSize and two evaluationFrequency lines)', () => {
    expect(alertDurations({ silenceWindowMinutes: 5, silenceFrequencyMinutes: 5 })).toHaveLength(4);
  });

  it.each([
    SETTINGS.SCAN_SCHEDULE,
    '0 */5 * * * *',
    '0 */20 * * * *',
    '0 0 * * * *',
    '0 0 */4 * * *',
    '0 0 */12 * * *',
    '0 15 2 * * *',
  ])('are all accepted values for SCAN_SCHEDULE %s', (schedule) => {
    const alert = silenceAlertFor(scheduleIntervalMs(schedule, now));
    if (!alert.ok) throw new Error(alert.message);
    const durations = alertDurations({
      silenceWindowMinutes: alert.windowMinutes,
      silenceFrequencyMinutes: alert.frequencyMinutes,
    });
    const refused = durations.filter(
      ({ minutes }) => !ACCEPTED_ALERT_MINUTES.includes(minutes as never),
    );
    expect(refused).toEqual([]);
  });

  it('would catch the window that broke the first deployment (PT13H)', () => {
    expect(ACCEPTED_ALERT_MINUTES).not.toContain(durationMinutes('PT13H'));
  });

  it('lets provisioning take only accepted values, from the hook, with defaults that fit the default schedule', () => {
    const alert = silenceAlertFor(scheduleIntervalMs(SETTINGS.SCAN_SCHEDULE, now));
    if (!alert.ok) throw new Error(alert.message);
    const accepted = [...ACCEPTED_ALERT_MINUTES];
    for (const [source, window, frequency] of [
      [MAIN, 'scanSilenceWindowMinutes', 'scanSilenceFrequencyMinutes'],
      [ALERTS, 'silenceWindowMinutes', 'silenceFrequencyMinutes'],
    ] as const) {
      expect(allowedOf(source, window), window).toEqual(accepted);
      expect(allowedOf(source, frequency), frequency).toEqual(accepted);
      expect(intDefault(source, window), window).toBe(alert.windowMinutes);
      expect(intDefault(source, frequency), frequency).toBe(alert.frequencyMinutes);
    }
    expect(MAIN).toMatch(/^\s+silenceWindowMinutes: scanSilenceWindowMinutes$/m);
    expect(MAIN).toMatch(/^\s+silenceFrequencyMinutes: scanSilenceFrequencyMinutes$/m);
    expect(MAIN).toContain(`param scanSchedule string = '${SETTINGS.SCAN_SCHEDULE}'`);
    const parameters = (JSON.parse(PARAMETERS) as { parameters: Record<string, { value: string }> })
      .parameters;
    expect(parameters.scanSchedule?.value).toBe(`\${SCAN_SCHEDULE=${SETTINGS.SCAN_SCHEDULE}}`);
    expect(parameters.scanSilenceWindowMinutes?.value).toBe(
      `\${SCAN_SILENCE_WINDOW_MINUTES=${alert.windowMinutes}}`,
    );
    expect(parameters.scanSilenceFrequencyMinutes?.value).toBe(
      `\${SCAN_SILENCE_FREQUENCY_MINUTES=${alert.frequencyMinutes}}`,
    );
    expect(read('azure.yaml').match(/run: node infra\/hooks\/alert-window\.mjs$/gm)).toHaveLength(
      2,
    );
  });
});

describe('infra/hooks/alert-window.mjs (preprovision)', () => {
  // dist/ is built by test/global-setup.ts; the hook uses the same compiled schedule code as the app.
  const run = (schedule: string | undefined) => {
    const env = { ...process.env };
    delete env.SCAN_SCHEDULE;
    if (schedule !== undefined) env.SCAN_SCHEDULE = schedule;
    return execFileSync(process.execPath, [HOOK, '--root', ROOT, '--no-build', '--print'], {
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  };

  it('derives the azd values from SCAN_SCHEDULE, the default schedule when unset', () => {
    expect(JSON.parse(run(undefined))).toEqual({
      SCAN_SILENCE_WINDOW_MINUTES: '1440',
      SCAN_SILENCE_FREQUENCY_MINUTES: '60',
    });
    expect(JSON.parse(run('0 0 * * * *'))).toEqual({
      SCAN_SILENCE_WINDOW_MINUTES: '120',
      SCAN_SILENCE_FREQUENCY_MINUTES: '30',
    });
  });

  it('stops provisioning with a clear message for a schedule it cannot alert on', () => {
    expect(() => run('0 0 8 * * 1-5')).toThrow(/exceed the longest window .* 2 days/);
    expect(() => run('every six hours')).toThrow(/SCAN_SCHEDULE .*not an NCRONTAB expression/);
  });
});

describe('the logs the alerts read', () => {
  it('queries the table and columns stdout lines land in on Flex Consumption, parsing the JSON line', () => {
    const queries = [...ALERTS.matchAll(/^\s*query: '(.*)'$/gm)].map((match) => match[1] ?? '');
    expect(queries).toHaveLength(2);
    const scanEnded = /^var scanEndedQuery = '(.*)'$/m.exec(ALERTS)?.[1] ?? '';
    expect(scanEnded).toMatch(
      /^traces \| where customDimensions\.Category == "Host\.Function\.Console"/,
    );
    expect(scanEnded).toContain('parse_json(substring(message, indexof(message, "{")))');
    expect(scanEnded).toContain('tostring(line.message) == "scan ended"');
    for (const query of queries) expect(query).toContain('${scanEndedQuery}');
    expect(queries[0]).toContain('tostring(line.status) == "failed"');
  });

  it('does not alert a fresh deployment before its first scan is due', () => {
    expect(ALERTS).toMatch(/^param deployedAt string = utcNow\('o'\)$/m);
    const silent = [...ALERTS.matchAll(/^\s*query: '(.*)'$/gm)][1]?.[1] ?? '';
    expect(silent).toMatch(/^let deployedAt = datetime\(\$\{deployedAt\}\);/);
    expect(silent).toContain('where scans == 0 and now() > deployedAt + ${silenceWindowMinutes}m');
  });

  it('host.json samples no traces and logs the worker console at Information', () => {
    const host = JSON.parse(read('host.json')) as {
      logging: {
        logLevel: Record<string, string>;
        applicationInsights?: {
          samplingSettings?: { isEnabled?: boolean; excludedTypes?: string };
        };
      };
    };
    const sampling = host.logging.applicationInsights?.samplingSettings;
    if (sampling?.isEnabled !== false) {
      expect((sampling?.excludedTypes ?? '').split(';')).toContain('Trace');
    }
    expect(host.logging.logLevel['Host.Function.Console']).toBe('Information');
  });

  it('the README gives the same query to try in Logs', () => {
    const readme = read('README.md');
    for (const text of [
      'customDimensions.Category == "Host.Function.Console"',
      'parse_json(substring(message, indexof(message, "{")))',
    ]) {
      expect(readme.includes(text), text).toBe(true);
    }
  });
});
