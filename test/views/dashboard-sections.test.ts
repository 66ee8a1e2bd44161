// Issue 21: the dashboard is one module per section under src/views/dashboard/, assembled by a thin page module.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SECTIONS = join(ROOT, 'src', 'views', 'dashboard');

describe('the dashboard sections', () => {
  it('has one module per section, each exporting its renderer', async () => {
    const files = readdirSync(SECTIONS).filter((f) => f.endsWith('.ts'));
    for (const section of [
      'header',
      'nav',
      'summary',
      'blockers',
      'deadlines',
      'trend',
      'findings',
      'resolved',
      'subscriptions',
      'exemptions',
      'refused',
    ]) {
      expect(files).toContain(`${section}.ts`);
      const mod = (await import(join(SECTIONS, `${section}.ts`))) as Record<string, unknown>;
      expect(Object.values(mod).some((v) => typeof v === 'function')).toBe(true);
    }
  });

  it('keeps the page module a thin assembler', () => {
    const page = readFileSync(join(ROOT, 'src', 'views', 'dashboard.ts'), 'utf8');
    expect(page.split('\n').length).toBeLessThan(200);
    for (const file of readdirSync(SECTIONS))
      expect(readFileSync(join(SECTIONS, file), 'utf8').split('\n').length).toBeLessThan(400);
  });
});
