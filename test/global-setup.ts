// Builds dist/ once before the suite when sources are newer, for tests that run real processes (a scan to kill, the local stack),
// and says when the specification beside the clone is missing (its conformance checks are then skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  // The conformance checks against the specification run only where ../shared/spec is beside the clone (CI).
  if (!existsSync(join(root, '..', 'shared', 'spec'))) {
    process.stdout.write(
      `\n  ../shared/spec is not beside this clone (${join(root, '..', 'shared', 'spec')}): the checks of the rule\n` +
        `  catalog against the specification's rules.md are skipped (counted as skipped below); CI runs them.\n\n`,
    );
  }
  const marker = join(root, 'dist', 'dev', 'start.js');
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'dev')));
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`build for the tests failed:\n${result.stdout}${result.stderr}`);
}
