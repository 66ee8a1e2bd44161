// Reads the rule docs (docs/rules/<id>.md) shipped beside the code, wherever the code runs from (src/ or dist/src/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root: the nearest folder above this module holding package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the code');
    dir = parent;
  }
  root = dir;
  return dir;
}

const cache = new Map<string, string | undefined>();

/** The markdown of a rule's doc, or undefined when there is none. `docPath` is the rule's `doc`. */
export function readRuleDoc(docPath: string): string | undefined {
  if (cache.has(docPath)) return cache.get(docPath);
  const file = join(packageRoot(), docPath);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  cache.set(docPath, text);
  return text;
}
