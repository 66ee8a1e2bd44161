// The deployment package: azure.yaml deploys what infra/hooks/stage-package.mjs assembles, and that holds what the
// app runs (dist/src, host.json, package.json, docs/rules) without sources, dev tooling or development scripts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/** The patterns of a .funcignore (comments and blank lines dropped). */
function funcignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Whether a .funcignore pattern (gitignore-like: anchored with a leading /, else at any depth) drops a path. */
function funcignoreDrops(pattern: string, path: string): boolean {
  const anchored = pattern.startsWith('/');
  const body = pattern
    .replace(/^\//, '')
    .replace(/\/$/, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*');
  return new RegExp(`${anchored ? '^' : '(^|/)'}${body}(/|$)`).test(path);
}

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');

  it('requires an azd release that keeps node_modules in a package deployed with remoteBuild: false (1.23.12)', () => {
    const pin = /^requiredVersions:\n {2}azd: '>= (\d+)\.(\d+)\.(\d+)'$/m.exec(yaml);
    expect(pin, 'requiredVersions.azd').not.toBeNull();
    const [major, minor, patch] = (pin ?? []).slice(1).map(Number);
    expect((major ?? 0) * 1e6 + (minor ?? 0) * 1e3 + (patch ?? 0)).toBeGreaterThanOrEqual(
      1_023_012,
    );
  });

  it('deploys the api service from the staged package, built locally', () => {
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}dist: \.local\/azure-package$/m);
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml.match(/run: node infra\/hooks\/stage-package\.mjs$/gm)).toHaveLength(2);
  });

  it('has a .funcignore that keeps node_modules (azd checks it against remoteBuild: false) and the app', () => {
    const patterns = funcignorePatterns(read('.funcignore'));
    // Anchored patterns only, so /src and /dev cannot match dist/src.
    expect(patterns.filter((pattern) => !pattern.startsWith('/'))).toEqual([]);
    const matches = funcignoreDrops;
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

  it('writes a .funcignore into the package that drops nothing the app runs', () => {
    const patterns = funcignorePatterns(readFileSync(join(out, '.funcignore'), 'utf8'));
    expect(patterns.length).toBeGreaterThan(0); // an empty file would do too, but this one says why it is there
    const dropped = KEPT.filter((path) =>
      patterns.some((pattern) => funcignoreDrops(pattern, path)),
    );
    expect(dropped).toEqual([]);
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

/** Specifiers of the static and literal dynamic imports (and re-exports) in a compiled ES module. */
function importsOf(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /(?:^|[;}\s])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[;}\s])import\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) if (match[1]) found.add(match[1]);
  }
  return [...found];
}

// What azd uploads: the real package, staged from this checkout's build (test/global-setup.ts builds dist/) with its
// production dependencies installed the way the hook installs them.
describe('the staged Function App package', () => {
  const work = mkdtempSync(join(tmpdir(), 'staged-package-'));
  const out = join(work, 'package');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    execFileSync(process.execPath, [HOOK, '--root', ROOT, '--out', out, '--no-build'], {
      stdio: 'pipe',
    });
  }, 300_000);

  it('resolves every import of the built entry point inside the package', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as {
      main: string;
    };
    const entry = resolve(out, manifest.main);
    expect(existsSync(entry), manifest.main).toBe(true);

    // The app's own modules, from the entry point on; the packages they import.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const missing: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(out + sep) || !existsSync(target)) {
            missing.push(`${relative(out, file)} -> ${specifier}`);
          } else visit(target);
        } else if (!isBuiltin(specifier)) packages.add(specifier);
      }
    };
    visit(entry);
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
    expect([...packages]).toEqual(expect.arrayContaining(['@azure/functions']));

    // Node resolves and loads each package from the entry point's folder, as the Functions host would.
    const probe = join(dirname(entry), '__resolve-probe.mjs');
    writeFileSync(
      probe,
      [
        "import { fileURLToPath } from 'node:url';",
        `const specifiers = ${JSON.stringify([...packages])};`,
        'const resolved = {};',
        'for (const s of specifiers) { resolved[s] = fileURLToPath(import.meta.resolve(s)); await import(s); }',
        'console.log(JSON.stringify(resolved));',
      ].join('\n'),
    );
    try {
      const resolved = JSON.parse(
        execFileSync(process.execPath, [probe], { cwd: out, encoding: 'utf8' }),
      ) as Record<string, string>;
      const outside = Object.entries(resolved).filter(
        ([, path]) => !path.startsWith(join(out, 'node_modules') + sep),
      );
      expect(outside).toEqual([]);
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('holds no development dependency', () => {
    const { devDependencies } = JSON.parse(read('package.json')) as {
      devDependencies: Record<string, string>;
    };
    const present = Object.keys(devDependencies).filter((name) =>
      existsSync(join(out, 'node_modules', name)),
    );
    expect(present).toEqual([]);
  });

  it('has a .funcignore that keeps node_modules', () => {
    const patterns = funcignorePatterns(readFileSync(join(out, '.funcignore'), 'utf8'));
    const kept = ['node_modules/@azure/functions/package.json', 'dist/src/functions/index.js'];
    expect(kept.filter((path) => patterns.some((p) => funcignoreDrops(p, path)))).toEqual([]);
  });
});
