// The deployment package: azure.yaml deploys what infra/hooks/stage-package.mjs assembles, and that holds what the
// app runs (dist/src, host.json, package.json, docs/rules) without sources, dev tooling or development scripts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = join(ROOT, 'infra', 'hooks', 'stage-package.mjs');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Paths the deployed app needs, relative to the package root. */
const KEPT = [
  'node_modules/@azure/functions/package.json',
  'dist/src/functions/index.js',
  'host.json',
  'package.json',
  'docs/rules/classic/some-rule.md',
];

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');

  it('deploys the api service from the staged package, built locally', () => {
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}dist: \.local\/azure-package$/m);
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml.match(/run: node infra\/hooks\/stage-package\.mjs$/gm)).toHaveLength(2);
  });

  it('has a .funcignore that keeps node_modules (azd checks it against remoteBuild: false) and the app', () => {
    const patterns = read('.funcignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    // Anchored patterns only, so /src and /dev cannot match dist/src.
    expect(patterns.filter((pattern) => !pattern.startsWith('/'))).toEqual([]);
    const matches = (pattern: string, path: string) => {
      const body = pattern
        .slice(1)
        .replace(/\/$/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`^${body}(/|$)`).test(path);
    };
    const dropped = KEPT.filter((path) => patterns.some((pattern) => matches(pattern, path)));
    expect(dropped).toEqual([]);
    for (const path of [
      'src/config.ts',
      'test/x.test.ts',
      'dev/host.ts',
      'infra/main.bicep',
      'dist/dev/start.js',
    ]) {
      expect(
        patterns.some((pattern) => matches(pattern, path)),
        path,
      ).toBe(true);
    }
  });
});

describe('infra/hooks/stage-package.mjs', () => {
  const work = mkdtempSync(join(tmpdir(), 'stage-package-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(work, 'repo', path)), { recursive: true });
    writeFileSync(join(work, 'repo', path), text);
  };
  write(
    'package.json',
    JSON.stringify({
      name: 'app',
      type: 'module',
      main: 'dist/src/functions/index.js',
      scripts: { build: 'tsc' },
      dependencies: { '@azure/functions': '4.16.5' },
      devDependencies: { typescript: '5.9.3' },
    }),
  );
  write('package-lock.json', '{}');
  write('host.json', '{ "version": "2.0" }');
  write('dist/src/functions/index.js', 'export {};');
  write('dist/dev/start.js', 'export {};');
  write('src/config.ts', 'export {};');
  write('docs/rules/classic/some-rule.md', '# rule');
  write('local.settings.json', '{}');

  const out = join(work, 'package');
  execFileSync(
    process.execPath,
    [HOOK, '--root', join(work, 'repo'), '--out', out, '--no-build', '--no-install'],
    { stdio: 'pipe' },
  );

  it('copies what the app runs', () => {
    for (const path of KEPT.filter((p) => !p.startsWith('node_modules/'))) {
      expect(existsSync(join(out, path)), path).toBe(true);
    }
  });

  it('leaves out sources, dev tooling, local settings and the lock file', () => {
    for (const path of ['src', 'dist/dev', 'local.settings.json', 'package-lock.json']) {
      expect(existsSync(join(out, path)), path).toBe(false);
    }
  });

  it('ships a package.json with the runtime fields only', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      type: 'module',
      main: 'dist/src/functions/index.js',
      dependencies: { '@azure/functions': '4.16.5' },
    });
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('devDependencies');
  });

  it('fails, naming what is missing, when the app is not built', () => {
    rmSync(join(work, 'repo', 'dist'), { recursive: true, force: true });
    expect(() =>
      execFileSync(
        process.execPath,
        [HOOK, '--root', join(work, 'repo'), '--out', out, '--no-build', '--no-install'],
        { stdio: 'pipe' },
      ),
    ).toThrow(/missing dist\/src/);
  });
});
