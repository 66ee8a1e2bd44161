// End to end: the local stack (`node dist/dev/start.js`) as a real process, its dashboard in headless Chromium.
// Chrome or Chromium found where a developer's machine has it (CHROME_PATH, the usual install paths, PATH), driven
// by playwright-core; CI installs Debian's chromium in .ci/run. Nothing here is skipped: no browser, no pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

  static async start(env: Record<string, string> = {}): Promise<LocalStack> {
    const start = join(ROOT, 'dist', 'dev', 'start.js');
    if (!existsSync(start))
      throw new Error(`${start} is missing: the vitest global setup builds dist/ first`);
    const port = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), 'readiness-dashboard-e2e-'));
    const child = spawn(
      process.execPath,
      // The demo tenant with its TEST FIXTURE subscription of hostile names: they must stay inert in the page.
      [start, '--port', String(port), '--state-dir', stateDir, '--quiet', '--test-fixtures'],
      // Its own process group, so the whole stack (Azurite included) can be signalled at once.
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOCAL_FUNCTION_KEY: FUNCTION_KEY, ...env },
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

/** The body of a quoted-printable part (RFC 2045 §6.7): soft line breaks removed, =XX decoded as UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i] as string;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

interface OwnerLink {
  readonly recipient: string;
  readonly open: number;
  readonly url: string;
}

/** "Your N open findings: URL" from each digest's plain-text part in the e-mail emulator's outbox. */
function ownerLinks(outbox: string): OwnerLink[] {
  const out: OwnerLink[] = [];
  for (const file of readdirSync(outbox).filter((f) => f.endsWith('.eml'))) {
    const eml = readFileSync(join(outbox, file), 'utf8');
    const text = decodeQuotedPrintable(eml);
    const match = /Your ([\d,]+) open findings?: (\S+)/.exec(text);
    if (!match) continue;
    const url = match[2] as string;
    out.push({
      url,
      open: Number((match[1] as string).replace(/,/g, '')),
      recipient: new URL(url).searchParams.get('owner') ?? '',
    });
  }
  return out;
}

/** The findings listed on the page: resource id and rule of each row. */
async function listed(page: Page): Promise<string[]> {
  return page
    .locator('#findings-table tbody tr')
    .evaluateAll((trs) =>
      trs.map(
        (tr) =>
          `${tr.querySelector('th span')?.getAttribute('title') ?? ''} ${tr.getAttribute('data-rule') ?? ''}`,
      ),
    );
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
  let ownerView: string | undefined;

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

  it('ranks the blockers, each entry opening its filtered view', async () => {
    const ranked = page.locator('#rank-rules');
    expect(await ranked.isVisible()).toBe(true);
    const blockerRules = new Set(
      rules.rules.filter((r) => r.severity === 'blocker').map((r) => r.id),
    );
    const withBlockers = Object.entries(status.findings.byRule).filter(
      ([id, count]) => count > 0 && blockerRules.has(id),
    );
    const shown = await ranked.locator('a').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(withBlockers.length);
    const counts = (
      await ranked
        .locator('li')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-count')))
    ).map(Number);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it("opens a digest's link from the outbox and lands on that owner's view, paging through it", async () => {
    // The start-up digest run writes one .eml per owner; wait for them.
    if (!stack) throw new Error('no local stack');
    const local = stack;
    const outbox = join(local.stateDir, 'outbox');
    // The run is paced by the e-mail limits: wait until the outbox stops growing.
    let links: OwnerLink[] = [];
    for (let i = 0, stable = 0; i < 240 && stable < 4; i++) {
      const now = ownerLinks(outbox);
      stable = now.length > 0 && now.length === links.length ? stable + 1 : 0;
      links = now;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(links.length, `digests in ${outbox}:\n${local.log()}`).toBeGreaterThan(0);
    // The owner with the most findings: more than one page of them.
    const owner = [...links].sort((a, b) => b.open - a.open)[0] as OwnerLink;
    expect(owner.open).toBeGreaterThan(20);
    expect(owner.url).toMatch(/\/api\/dashboard\?owner=/);
    // Signing in is not this test's business: the function key stands in for it (the link itself carries none).
    // Pages of 20, so the owner's findings take several pages whoever has the most.
    const url = `${owner.url}&top=20&code=${FUNCTION_KEY}`;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(
      await page.locator('#active-filters .chip[data-filter="owner"]').textContent(),
    ).toContain(owner.recipient);
    const seen = new Set<string>();
    for (let pages = 1; ; pages++) {
      const rows = await listed(page);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(seen.has(row), row).toBe(false);
        seen.add(row);
      }
      const owners = await page
        .locator('#findings-table tbody td.owners')
        .evaluateAll((tds) => tds.map((td) => td.textContent ?? ''));
      for (const text of owners)
        expect(text.toLowerCase()).toContain(owner.recipient.toLowerCase());
      const next = page.locator('#next-page');
      if ((await next.count()) === 0) break;
      expect(pages).toBeLessThan(100);
      await Promise.all([page.waitForURL(/continuationToken=/), next.click()]);
    }
    // Every one of "your N open findings", each once, over several pages.
    expect(seen.size).toBe(owner.open);
    expect(Math.ceil(owner.open / 20)).toBeGreaterThan(1);
    ownerView = url;
  });

  it(
    "saves screenshots of the owner's view, on a laptop and on a phone without sideways scrolling",
    async () => {
      expect(ownerView).toBeDefined();
      for (const [name, viewport, mobile] of [
        ['owner-view-laptop.png', { width: 1366, height: 768 }, false],
        ['owner-view-phone.png', { width: 390, height: 844 }, true],
      ] as const) {
        const device = await browser?.newContext({
          viewport,
          isMobile: mobile,
          hasTouch: mobile,
        });
        expect(device).toBeDefined();
        if (!device) return;
        try {
          device.setDefaultTimeout(40_000);
          const view = await openPage(device, problems, dialogs);
          await view.goto(ownerView ?? '', { waitUntil: 'load' });
          expect(await view.locator('#findings-table tbody tr').count()).toBeGreaterThan(0);
          const widths = await view.evaluate(() => {
            const w = globalThis as unknown as Win;
            return { page: w.document.documentElement.scrollWidth, viewport: w.innerWidth };
          });
          expect(widths.page).toBeLessThanOrEqual(widths.viewport);
          await view.screenshot({
            path: join(RESULTS, name),
            fullPage: true,
            timeout: SCREENSHOT_TIMEOUT_MS,
          });
        } finally {
          await device.close();
        }
        expect(existsSync(join(RESULTS, name))).toBe(true);
      }
    },
    3 * SCREENSHOT_TIMEOUT_MS,
  );

  it('keeps the hostile strings of the demo tenant inert and shows them as text', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as Win).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('main b, header b').count()).toBe(0);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(HOSTILE_MARKUP);
  });

  it('logged no console error and no uncaught exception', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

/** Waits until the outbox stops growing (the digest run is paced by the e-mail limits) and reads its links. */
async function settledLinks(outbox: string): Promise<OwnerLink[]> {
  let links: OwnerLink[] = [];
  for (let i = 0, stable = 0; i < 240 && stable < 4; i++) {
    const now = ownerLinks(outbox);
    stable = now.length > 0 && now.length === links.length ? stable + 1 : 0;
    links = now;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return links;
}

// Issue 21's "Done when": behind the sign-in (App Service Authentication's local stand-in, dev/sign-in.ts), a digest's
// link — which carries no key — takes its owner through the sign-in to their own view; without it, the page is not
// served; another owner's view is refused.
describe('the owner signed in, as App Service Authentication does it', () => {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    const executablePath = BROWSER.path;
    if (executablePath === undefined) throw new Error(NO_BROWSER);
    for (let attempt = 1; ; attempt++) {
      stack = await LocalStack.start({
        APP_SERVICE_AUTHENTICATION: 'true',
        PLATFORM_TEAM_APP_ROLE: 'Readiness.Platform',
      });
      browser ??= await chromium.launch({ executablePath, args: LAUNCH_ARGS });
      try {
        await stack.firstScan();
        break;
      } catch (error) {
        if (attempt >= 3 || !stack.log().includes('EADDRINUSE')) throw error;
        await stack.stop();
      }
    }
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(40_000);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stack?.stop();
  }, 60_000);

  it("takes a digest's link through the sign-in to that owner's view, and refuses what is not theirs", async () => {
    if (!stack || !context) throw new Error('no local stack');
    const links = await settledLinks(join(stack.stateDir, 'outbox'));
    expect(links.length, stack.log()).toBeGreaterThan(0);
    const owner = [...links].sort((a, b) => b.open - a.open)[0] as OwnerLink;
    const other = links.find((l) => l.recipient !== owner.recipient);
    const page = await context.newPage();
    // Not signed in: the link (no key in it) goes to the sign-in, as RedirectToLoginPage does.
    await page.goto(owner.url, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/.auth/login/aad');
    // A script without a session or key gets a 401, not the page.
    const bare = await fetch(owner.url, { redirect: 'manual' });
    expect(bare.status).toBe(401);
    // Signed in as the owner, back to where the link pointed: their view, filtered to them.
    const target = new URL(owner.url);
    const login = `${stack.url}/.auth/login/aad?user=${encodeURIComponent(owner.recipient)}&post_login_redirect_uri=${encodeURIComponent(target.pathname + target.search)}`;
    const response = await page.goto(login, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).searchParams.get('owner')).toBe(owner.recipient);
    expect(
      await page.locator('#active-filters .chip[data-filter="owner"]').textContent(),
    ).toContain(owner.recipient);
    const owners = await page
      .locator('#findings-table tbody td.owners')
      .evaluateAll((tds) => tds.map((td) => td.textContent ?? ''));
    expect(owners.length).toBeGreaterThan(0);
    for (const text of owners) expect(text.toLowerCase()).toContain(owner.recipient.toLowerCase());
    await page.screenshot({ path: join(RESULTS, 'owner-view-signed-in.png'), fullPage: false });
    // Someone else's view: refused (403), the signed-in owner sees their own only.
    if (other) {
      const refused = await page.goto(
        `${stack.url}/api/dashboard?owner=${encodeURIComponent(other.recipient)}`,
        { waitUntil: 'load' },
      );
      expect(refused?.status()).toBe(403);
    }
    await page.close();
  }, 180_000);
});
