// The browser test's search for Chrome/Chromium: env var first, then install paths, then PATH, on each platform.
import { describe, expect, it } from 'vitest';
import { findBrowser, noBrowserMessage, type BrowserSearch } from '../support/browser.js';

const on = (
  platform: NodeJS.Platform,
  present: readonly string[],
  env: BrowserSearch['env'] = {},
): BrowserSearch => ({ platform, env, exists: (p) => present.includes(p) });

describe('findBrowser', () => {
  it('takes CHROME_PATH first, even when another browser is installed', () => {
    expect(
      findBrowser(on('linux', ['/usr/bin/chromium', '/x/chrome'], { CHROME_PATH: '/x/chrome' })),
    ).toEqual({ path: '/x/chrome', from: 'env' });
  });

  it('names a CHROME_PATH that does not exist instead of silently using another browser', () => {
    const found = findBrowser(on('linux', ['/usr/bin/chromium'], { CHROME_PATH: '/nope/chrome' }));
    expect(found.path).toBeUndefined();
    expect(noBrowserMessage(found)).toContain('CHROME_PATH=/nope/chrome does not exist');
  });

  it.each([
    ['linux', '/usr/bin/chromium'],
    ['linux', '/usr/bin/google-chrome-stable'],
    ['linux', '/snap/bin/chromium'],
    ['darwin', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    ['darwin', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  ] as const)('finds the usual install path on %s: %s', (platform, path) => {
    expect(findBrowser(on(platform, [path]))).toEqual({ path, from: 'install' });
  });

  it('finds Chrome under Program Files and LocalAppData on Windows', () => {
    const path = 'C:\\Users\\dev\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    expect(
      findBrowser(
        on('win32', [path], {
          PROGRAMFILES: 'C:\\Program Files',
          LOCALAPPDATA: 'C:\\Users\\dev\\AppData\\Local',
        }),
      ),
    ).toEqual({ path, from: 'install' });
  });

  it('falls back to PATH (chromium, google-chrome, chrome, ...)', () => {
    expect(
      findBrowser(
        on('linux', ['/home/dev/bin/google-chrome'], { PATH: '/usr/local/bin:/home/dev/bin' }),
      ),
    ).toEqual({ path: '/home/dev/bin/google-chrome', from: 'PATH' });
    expect(
      findBrowser(on('win32', ['D:\\tools\\chrome.exe'], { Path: 'C:\\Windows;D:\\tools' })),
    ).toEqual({ path: 'D:\\tools\\chrome.exe', from: 'PATH' });
  });

  it('says where it looked and how to fix it when there is none', () => {
    const found = findBrowser(on('linux', [], { PATH: '/usr/local/bin' }));
    expect(found.path).toBeUndefined();
    const message = noBrowserMessage(found);
    expect(message).toContain('CHROME_PATH');
    expect(message).toContain('/usr/bin/chromium');
    expect(message).toContain('/usr/local/bin/chromium');
  });
});
