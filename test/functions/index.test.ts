// The entry point the Functions host loads (package.json "main") registers every function of the registry, with
// the trigger, route, methods, auth level and %SETTING% schedule the registry gives it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SETTINGS, validateSchedule } from '../../src/config.js';
import { FUNCTIONS } from '../../src/functions/registry.js';

interface Registration {
  readonly trigger: 'http' | 'timer' | 'queue';
  readonly name: string;
  readonly options: Record<string, unknown>;
}

const registered = vi.hoisted(() => [] as Registration[]);

// The registration calls are intercepted; everything else is the real library.
vi.mock('@azure/functions', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@azure/functions')>();
  return {
    ...actual,
    app: {
      ...actual.app,
      http: (name: string, options: Record<string, unknown>) =>
        registered.push({ trigger: 'http', name, options }),
      timer: (name: string, options: Record<string, unknown>) =>
        registered.push({ trigger: 'timer', name, options }),
      storageQueue: (name: string, options: Record<string, unknown>) =>
        registered.push({ trigger: 'queue', name, options }),
    },
  };
});

const ROOT = join(import.meta.dirname, '..', '..');
const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string })
  .main;

beforeAll(async () => {
  const entry = join(ROOT, main);
  expect(existsSync(entry), `${entry} (the vitest global setup builds dist/)`).toBe(true);
  await import(pathToFileURL(entry).href);
});

describe(`the entry point (package.json main: ${main})`, () => {
  it('is the build of src/functions/index.ts', () => {
    expect(main).toBe('dist/src/functions/index.js');
  });

  it('registers each function of the registry once, and nothing else', () => {
    expect(registered.map((r) => r.name).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  });

  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    'registers %s as the registry says',
    (name, fn) => {
      const found = registered.find((r) => r.name === name);
      expect(found, name).toBeDefined();
      expect(found?.trigger).toBe(fn.kind);
      expect(typeof found?.options.handler).toBe('function');
      if (fn.kind === 'http') {
        expect(found?.options.route).toBe(fn.route);
        expect(found?.options.methods).toEqual([...fn.methods]);
        expect(found?.options.authLevel).toBe(fn.authLevel);
      } else if (fn.kind === 'queue') {
        // The queue name comes from the setting (a binding expression), the poison queue is <name>-poison.
        expect(found?.options.queueName).toBe(`%${fn.queueSetting}%${fn.poison ? '-poison' : ''}`);
        expect(found?.options.connection).toBe('AzureWebJobsStorage');
        expect(Object.keys(SETTINGS)).toContain(fn.queueSetting);
      } else {
        expect(found?.options.schedule).toBe(`%${fn.scheduleSetting}%`);
        expect(Object.keys(SETTINGS)).toContain(fn.scheduleSetting);
        expect(validateSchedule(SETTINGS[fn.scheduleSetting])).toBeUndefined();
      }
    },
  );

  it('registers the batch worker and its poison-queue twin on the scan queue', () => {
    const queues = registered.filter((r) => r.trigger === 'queue').map((r) => r.options.queueName);
    expect(queues.sort()).toEqual(['%SCAN_QUEUE_NAME%', '%SCAN_QUEUE_NAME%-poison']);
  });

  it('leaves only health and the rule docs anonymous; every other route needs a function key', () => {
    const anonymous = registered
      .filter((r) => r.trigger === 'http' && r.options.authLevel === 'anonymous')
      .map((r) => r.options.route);
    expect(anonymous.sort()).toEqual(['health', 'rules/{pack}/{name}']);
    for (const r of registered.filter((x) => x.trigger === 'http'))
      expect(['anonymous', 'function']).toContain(r.options.authLevel);
  });

  it('registers the people routes anonymous only when sign-in is configured (APP_SERVICE_AUTHENTICATION=true)', async () => {
    const people = FUNCTIONS.filter((f) => f.kind === 'http' && f.access === 'people').map(
      (f) => f.name,
    );
    expect(people.sort()).toEqual(['getDashboard', 'getDashboardFindings']);
    for (const r of registered.filter((x) => people.includes(x.name)))
      expect(r.options.authLevel, r.name).toBe('function');
    registered.length = 0;
    vi.resetModules();
    vi.stubEnv('APP_SERVICE_AUTHENTICATION', 'true');
    try {
      await import(pathToFileURL(join(ROOT, main)).href);
    } finally {
      vi.unstubAllEnvs();
    }
    const anonymous = registered
      .filter((r) => r.trigger === 'http' && r.options.authLevel === 'anonymous')
      .map((r) => String(r.options.route));
    expect(anonymous.sort()).toEqual([
      'dashboard',
      'dashboard/findings',
      'health',
      'rules/{pack}/{name}',
    ]);
  });

  it('never registers two functions on the same route and method', () => {
    const pairs = registered
      .filter((r) => r.trigger === 'http')
      .flatMap((r) =>
        (r.options.methods as string[]).map((m) => `${m} ${String(r.options.route)}`),
      );
    expect(new Set(pairs).size).toBe(pairs.length);
  });
});
