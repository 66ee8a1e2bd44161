// End to end: the local stack (`node dist/dev/start.js`) as a real process, its dashboard in headless Chromium.
// Chrome or Chromium found where a developer's machine has it (CHROME_PATH, the usual install paths, PATH), driven
// by playwright-core; CI installs Debian's chromium in .ci/run. Nothing here is skipped: no browser, no pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/ports.js';
import { HOSTILE_MARKUP, HOSTILE_SCRIPT } from '../../dev/tenants/demo.js';
import { findBrowser, noBrowserMessage } from '../support/browser.js';

const BROWSER = findBrowser();
const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const START_TIMEOUT_MS = 60_000;
const SCREENSHOT_TIMEOUT_MS = 90_000;
/** The function key the local host requires on every route but health and the rule docs. */
const FUNCTION_KEY = randomBytes(24).toString('base64url');

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The few browser globals the page functions touch (the project compiles without the DOM lib). */
interface Win {
  readonly document: {
    readonly scripts: ArrayLike<{
      readonly type: string;
      readonly src: string;
      readonly nonce?: string;
    }>;
    readonly activeElement: { readonly id: string } | null;
    readonly documentElement: { readonly scrollWidth: number };
  };
  readonly innerWidth: number;
  __xss?: boolean;
  alert: unknown;
  confirm: unknown;
  prompt: unknown;
}

interface StatusBody {
  readonly lastScan: { readonly status: string; readonly error?: string } | null;
  readonly findings: {
    readonly open: number;
    readonly bySeverity: Record<'blocker' | 'warning' | 'info', number>;
    readonly byRule: Record<string, number>;
  };
}

interface RulesBody {
  readonly rules: readonly { readonly id: string; readonly severity: string }[];
}

class LocalStack {
  private output = '';
  private exited: number | null | undefined;
  private readonly exit: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly stateDir: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exited = code;
        resolve();
      }),
    );
  }

  static async start(): Promise<LocalStack> {
    const start = join(ROOT, 'dist', 'dev', 'start.js');
    if (!existsSync(start))
      throw new Error(`${start} is missing: the vitest global setup builds dist/ first`);
    const port = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), 'readiness-dashboard-e2e-'));
    const child = spawn(
      process.execPath,
      [start, '--port', String(port), '--state-dir', stateDir, '--quiet'],
      // Its own process group, so the whole stack (Azurite included) can be signalled at once.
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOCAL_FUNCTION_KEY: FUNCTION_KEY },
      },
    );
    return new LocalStack(child, `http://localhost:${port}`, stateDir);
  }

  log(): string {
    return this.output.trim() || '(no output)';
  }

  async json<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      headers: { 'x-functions-key': FUNCTION_KEY },
    });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Waits for the start-up scan; fails early when the stack exits or the scan does not succeed. */
  async firstScan(): Promise<StatusBody> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited !== undefined)
        throw new Error(`the local stack exited (${this.exited}):\n${this.log()}`);
      try {
        const status = await this.json<StatusBody>('/api/status');
        const state = status.lastScan?.status;
        if (state === 'succeeded') return status;
        if (state === 'failed' || state === 'partial') {
          throw new Error(
            `the start-up scan ended ${state}: ${status.lastScan?.error ?? ''}\n${this.log()}`,
          );
        }
        last = `lastScan ${state ?? 'none yet'}`;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('the start-up scan')) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(
      `no successful scan within ${START_TIMEOUT_MS / 1000} s (${last}):\n${this.log()}`,
    );
  }

  /** SIGINT to the group (the stack stops Azurite itself), SIGKILL if it has not exited after 20 s. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && this.exited === undefined) {
      try {
        process.kill(-pid, 'SIGINT');
      } catch {
        // already gone
      }
      const stopped = await Promise.race([
        this.exit.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!stopped) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await this.exit;
      }
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A page that records console errors, uncaught exceptions and dialogs, and flags any alert() call. */
async function openPage(context: BrowserContext, problems: string[], dialogs: string[]) {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

function visibleRows(page: Page) {
  return page.locator('#findings-table tbody tr:not([hidden])');
}

async function shownCount(page: Page): Promise<{ shown: number; of: number }> {
  const text = (await page.locator('#findings-count').textContent()) ?? '';
  const match = /Showing ([\d,]+) of ([\d,]+)/.exec(text);
  expect(match, `count text "${text}"`).not.toBeNull();
  const num = (s: string | undefined) => Number((s ?? '').replace(/,/g, ''));
  return { shown: num(match?.[1]), of: num(match?.[2]) };
}

const NO_BROWSER = noBrowserMessage(BROWSER);

it('has Chrome or Chromium to drive', () => {
  expect(BROWSER.path, NO_BROWSER).toBeDefined();
});

describe('the dashboard in a browser', () => {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let status: StatusBody;
  let rules: RulesBody;
  const problems: string[] = [];
  const dialogs: string[] = [];
  let context: BrowserContext;
  let page: Page;
  let dashboardUrl: string;

  beforeAll(async () => {
    const executablePath = BROWSER.path;
    if (executablePath === undefined) throw new Error(NO_BROWSER);
    mkdirSync(RESULTS, { recursive: true });
    // The stack boots while the browser launches; each is kept as soon as it exists, so afterAll stops it.
    // A free port can be taken by another process between the check and the listen: then start again.
    for (let attempt = 1; ; attempt++) {
      stack = await LocalStack.start();
      browser ??= await chromium.launch({ executablePath, args: LAUNCH_ARGS });
      try {
        status = await stack.firstScan();
        break;
      } catch (error) {
        if (attempt >= 3 || !stack.log().includes('EADDRINUSE')) throw error;
        await stack.stop();
      }
    }
    rules = await stack.json<RulesBody>('/api/rules');
    dashboardUrl = `${stack.url}/api/dashboard?code=${FUNCTION_KEY}`;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Generous, but a missing element fails a test well within its own timeout.
    context.setDefaultTimeout(40_000);
    // A trap for the hostile strings: if any of them ever ran, the flag would be set.
    await context.addInitScript(() => {
      const w = globalThis as unknown as Win;
      const trap = () => {
        w.__xss = true;
      };
      w.alert = trap;
      w.confirm = trap;
      w.prompt = trap;
    });
    page = await openPage(context, problems, dialogs);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stack?.stop();
  }, 60_000);

  it('serves one self-contained page under a nonce CSP', async () => {
    const response = await page.goto(dashboardUrl, { waitUntil: 'load' });
    expect(response?.status(), `GET ${dashboardUrl}: ${await response?.text()}`).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['content-type']).toMatch(/^text\/html/);
    expect(headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    const source = (await response?.text()) ?? '';
    expect(source).not.toContain(HOSTILE_SCRIPT);
    expect(source).not.toContain('<b>bold</b>');
    const scripts = await page.evaluate(() =>
      Array.from((globalThis as unknown as Win).document.scripts)
        .filter((s) => s.type !== 'application/json')
        .map((s) => ({ src: s.src, nonce: s.nonce !== '' })),
    );
    expect(scripts).toEqual([{ src: '', nonce: true }]);
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.title()).toMatch(/readiness/i);
  });

  it('draws the blocker charts from the scan', async () => {
    const subs = page.locator('#chart-subscriptions');
    expect(await subs.isVisible()).toBe(true);
    expect(await subs.getAttribute('role')).toBe('img');
    expect(await subs.locator('title').first().textContent()).toBe('Blockers by subscription');
    const subBars = subs.locator('g.bar');
    expect(await subBars.count()).toBeGreaterThan(0);
    expect(await subs.locator('rect').count()).toBe(await subBars.count());
    const values = (
      await subBars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-value')))
    ).map(Number);
    // Every blocker is in one subscription: the bars add up to the status' blocker count.
    expect(values.reduce((a, b) => a + b, 0)).toBe(status.findings.bySeverity.blocker);

    const ruleChart = page.locator('#chart-rules');
    expect(await ruleChart.isVisible()).toBe(true);
    const blockerRules = new Set(
      rules.rules.filter((r) => r.severity === 'blocker').map((r) => r.id),
    );
    const withBlockers = Object.entries(status.findings.byRule).filter(
      ([id, count]) => count > 0 && blockerRules.has(id),
    );
    expect(await ruleChart.locator('g.bar').count()).toBe(Math.min(withBlockers.length, 25));
    expect(await ruleChart.locator('rect').count()).toBe(await ruleChart.locator('g.bar').count());
    // The numbers are written as text too.
    expect(await ruleChart.locator('text.bar-value').first().textContent()).toMatch(/^\d[\d,]*$/);
  });

  it('lists the findings of the demo tenant in the table', async () => {
    const rows = page.locator('#findings-table tbody tr');
    const total = await rows.count();
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(status.findings.open);
    if (total < status.findings.open) expect(await page.locator('.cap').isVisible()).toBe(true);
    expect(await shownCount(page)).toEqual({ shown: total, of: total });
    const acl = page.locator('#findings-table tbody tr[data-rule="classic/vm-endpoint-acl"]');
    expect(await acl.count()).toBeGreaterThan(0);
    const link = acl.first().locator('td').nth(2).locator('a');
    const href = (await link.first().getAttribute('href')) ?? '';
    expect(href).not.toBe('');
    expect(href).not.toMatch(/^javascript:/i);
  });

  it('filters by severity and by search, from the keyboard too', async () => {
    const all = (await shownCount(page)).of;

    await page.selectOption('#f-severity', 'blocker');
    const blockers = await shownCount(page);
    expect(blockers.of).toBe(all);
    expect(blockers.shown).toBeGreaterThan(0);
    expect(blockers.shown).toBeLessThan(all);
    const visible = visibleRows(page);
    expect(await visible.count()).toBe(blockers.shown);
    const severities = await visible.evaluateAll((trs) =>
      trs.map((tr) => (tr.querySelector('td')?.textContent ?? '').trim().toLowerCase()),
    );
    expect(new Set(severities)).toEqual(new Set(['blocker']));
    if (all === status.findings.open)
      expect(blockers.shown).toBe(status.findings.bySeverity.blocker);

    await page.selectOption('#f-severity', '');
    expect((await shownCount(page)).shown).toBe(all);
    const name = (
      (await page
        .locator('#findings-table tbody tr[data-rule="classic/vm-endpoint-acl"] th span')
        .first()
        .textContent()) ?? ''
    ).trim();
    expect(name).not.toBe('');
    await page.fill('#f-search', name);
    const searched = await shownCount(page);
    expect(searched.shown).toBeGreaterThan(0);
    expect(searched.shown).toBeLessThan(all);
    const texts = await visibleRows(page).evaluateAll((trs) =>
      trs.map((tr) => tr.getAttribute('data-text') ?? ''),
    );
    for (const text of texts) expect(text).toContain(name.toLowerCase());

    // Keyboard: Tab moves from the search box to the next filter; "Clear filters" restores every row.
    await page.focus('#f-search');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => (globalThis as unknown as Win).document.activeElement?.id),
    ).toBe('f-severity');
    await page.focus('#f-reset');
    await page.keyboard.press('Enter');
    expect(await shownCount(page)).toEqual({ shown: all, of: all });
    expect(await page.inputValue('#f-search')).toBe('');
  });

  it('keeps the hostile strings of the demo tenant inert and shows them as text', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as Win).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('main b, header b').count()).toBe(0);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(HOSTILE_MARKUP);
  });

  it(
    'saves screenshots, on a laptop and on a phone without sideways scrolling',
    async () => {
      // The full page is tens of thousands of pixels tall (every finding of the demo tenant): rendering it takes
      // seconds, and many more on a shared, loaded machine, so the captures get their own generous timeout.
      await page.screenshot({
        path: join(RESULTS, 'dashboard.png'),
        fullPage: true,
        timeout: SCREENSHOT_TIMEOUT_MS,
      });

      const phone = await browser?.newContext({
        viewport: { width: 375, height: 812 },
        isMobile: true,
        hasTouch: true,
      });
      phone?.setDefaultTimeout(15_000);
      expect(phone).toBeDefined();
      if (!phone) return;
      try {
        const small = await openPage(phone, problems, dialogs);
        await small.goto(dashboardUrl, { waitUntil: 'load' });
        expect(await small.locator('#findings-table tbody tr').count()).toBeGreaterThan(0);
        const widths = await small.evaluate(() => {
          const w = globalThis as unknown as Win;
          return { page: w.document.documentElement.scrollWidth, viewport: w.innerWidth };
        });
        expect(widths.page).toBeLessThanOrEqual(widths.viewport);
        await small.screenshot({
          path: join(RESULTS, 'dashboard-phone.png'),
          fullPage: true,
          timeout: SCREENSHOT_TIMEOUT_MS,
        });
      } finally {
        await phone.close();
      }
      expect(existsSync(join(RESULTS, 'dashboard.png'))).toBe(true);
      expect(existsSync(join(RESULTS, 'dashboard-phone.png'))).toBe(true);
    },
    3 * SCREENSHOT_TIMEOUT_MS,
  );

  it('logged no console error and no uncaught exception', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
