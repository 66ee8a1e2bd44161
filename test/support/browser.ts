// Finds a Chrome or Chromium for the browser tests where a developer's machine has one: CHROME_PATH, then the
// usual install paths of Linux, macOS and Windows, then PATH. playwright-core drives it (it downloads none).
import { existsSync } from 'node:fs';
import { delimiter, join, win32 } from 'node:path';

/** The environment variable that names the browser to drive (the name chrome-launcher and Lighthouse use). */
export const BROWSER_ENV = 'CHROME_PATH';

export interface BrowserSearch {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly exists: (path: string) => boolean;
}

export type BrowserFound =
  | { readonly path: string; readonly from: 'env' | 'install' | 'PATH' }
  | { readonly path: undefined; readonly looked: readonly string[]; readonly problem?: string };

const LINUX = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
];
const MAC = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
const PATH_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome',
];

function installPaths(search: BrowserSearch): string[] {
  const { env, platform } = search;
  if (platform === 'darwin') {
    const home = env.HOME;
    return home ? [...MAC, ...MAC.map((p) => `${home}${p}`)] : MAC;
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(
      (r): r is string => typeof r === 'string' && r !== '',
    );
    return roots.flatMap((root) => [
      win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      win32.join(root, 'Chromium', 'Application', 'chrome.exe'),
    ]);
  }
  return LINUX;
}

function onPath(search: BrowserSearch): string[] {
  const { env, platform } = search;
  const path = env.PATH ?? env.Path ?? '';
  const sep = platform === 'win32' ? ';' : delimiter;
  const names = platform === 'win32' ? PATH_NAMES.map((n) => `${n}.exe`) : PATH_NAMES;
  const dirs = path.split(sep).filter((d) => d !== '');
  return dirs.flatMap((dir) =>
    names.map((name) => (platform === 'win32' ? win32.join(dir, name) : join(dir, name))),
  );
}

/** The first browser found, in order: $CHROME_PATH (which must exist if set), install paths, PATH. */
export function findBrowser(
  search: BrowserSearch = { env: process.env, platform: process.platform, exists: existsSync },
): BrowserFound {
  const named = search.env[BROWSER_ENV];
  if (named !== undefined && named !== '') {
    return search.exists(named)
      ? { path: named, from: 'env' }
      : { path: undefined, looked: [named], problem: `${BROWSER_ENV}=${named} does not exist` };
  }
  const installs = installPaths(search);
  const installed = installs.find((p) => search.exists(p));
  if (installed) return { path: installed, from: 'install' };
  const candidates = onPath(search);
  const found = candidates.find((p) => search.exists(p));
  if (found) return { path: found, from: 'PATH' };
  return { path: undefined, looked: [...installs, ...candidates] };
}

/** What to tell a developer who has none. */
export function noBrowserMessage(found: BrowserFound): string {
  if (found.path !== undefined) return '';
  const why = found.problem ?? `no Chrome or Chromium in the usual install paths or on PATH`;
  return (
    `The dashboard's browser test needs Chrome or Chromium: ${why}. ` +
    `Install one (Debian/Ubuntu: apt-get install chromium; macOS/Windows: Google Chrome) ` +
    `or set ${BROWSER_ENV} to its executable. Looked at: ${found.looked.join(', ')}`
  );
}
