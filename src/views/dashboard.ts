// The dashboard page (GET /api/dashboard): the thin assembler of the sections under src/views/dashboard/, one module
// per section. One self-contained HTML page, server-rendered from the DashboardModel: nothing is loaded from anywhere,
// one inline style and one inline script, both allowed by a per-response nonce. Every tenant-controlled string goes
// through `html` (escaped); links go through `safeHref`.
import type { DashboardModel } from './dashboard-model.js';
import { html, raw, safeHref, type Html } from './html.js';
import { blockerCharts } from './dashboard/blockers.js';
import { when, type Lookups } from './dashboard/common.js';
import { deadlines } from './dashboard/deadlines.js';
import { exemptionsSection } from './dashboard/exemptions.js';
import { findingsSection, viewBanner } from './dashboard/findings.js';
import { header } from './dashboard/header.js';
import { nav } from './dashboard/nav.js';
import { planSection } from './dashboard/plan.js';
import { refusedSection } from './dashboard/refused.js';
import { resolvedSection } from './dashboard/resolved.js';
import { SCRIPT } from './dashboard/script.js';
import { STYLE } from './dashboard/style.js';
import { subscriptionsSection } from './dashboard/subscriptions.js';
import { summary } from './dashboard/summary.js';
import { trend } from './dashboard/trend.js';

/** A CSP nonce: base64 or base64url, at least 16 characters (≥ 96 bits of randomness). */
const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

function checkNonce(nonce: string): string {
  if (!NONCE.test(nonce))
    throw new Error('the dashboard nonce must be base64, 16 characters or more');
  return nonce;
}

/** The Content-Security-Policy header value sent with the page rendered with the same nonce. */
export function DASHBOARD_CSP(nonce: string): string {
  const n = checkNonce(nonce);
  return [
    "default-src 'none'",
    `style-src 'nonce-${n}'`,
    `script-src 'nonce-${n}'`,
    'img-src data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function noScan(): Html {
  return html`<section aria-labelledby="empty-h">
    <h2 id="empty-h">No scan yet</h2>
    <p class="empty">
      The scanner has not finished a scan of this tenant yet. Scans run on the
      <code>SCAN_SCHEDULE</code> timer; <code>POST /api/scans</code> starts one now. Reload this
      page when it has finished.
    </p>
  </section>`;
}

export function lookupsOf(model: DashboardModel): Lookups {
  return {
    rules: new Map(model.rules.map((r) => [r.id, r])),
    subscriptions: new Map(model.subscriptions.map((s) => [s.subscriptionId, s])),
  };
}

/** The whole page. `options.nonce` must be the nonce of the CSP header sent with it (see DASHBOARD_CSP). */
export function renderDashboard(model: DashboardModel, options: { nonce: string }): string {
  const nonce = checkNonce(options.nonce);
  const look = lookupsOf(model);
  const hasScan = model.status.lastScan !== null;
  // The nonce is plain base64 (checked), so it is safe in an attribute as it is.
  const styleTag = raw(`<style nonce="${nonce}">${STYLE}</style>`);
  const scriptTag = raw(`<script nonce="${nonce}">${SCRIPT}</script>`);
  // Each section with its heading id and its name in the navigation; a section with nothing to say is left out.
  const sections: (readonly [string, string, Html])[] = hasScan
    ? [
        ['summary-h', 'Summary', summary(model, look)],
        ['blockers-h', 'Blockers', blockerCharts(model, look)],
        ['deadlines-h', 'Deadlines', deadlines(model, look)],
        ['trend-h', 'Trend', trend(model)],
        ['findings-h', 'Findings', findingsSection(model, look)],
        ['plan-h', 'Migration plan', planSection(model, look)],
        ['resolved-h', 'Resolved', resolvedSection(model, look)],
        ['subscriptions-h', 'Subscriptions', subscriptionsSection(model)],
        ['exemptions-h', 'Exemptions', exemptionsSection(model)],
        ['refused-h', 'Addresses not mailed', refusedSection(model)],
      ]
    : [];
  const shown = sections.filter(([, , body]) => body.value !== '');
  const main = hasScan
    ? html`${viewBanner(model, look)}${shown.map(([, , body]) => body)}`
    : noScan();
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="color-scheme" content="light dark" />
        <title>Azure migration readiness — dashboard</title>
        <link rel="icon" href="data:," />
        ${styleTag}
      </head>
      <body>
        <a class="skip" href="#main">Skip to the content</a>
        ${header(model, look)} ${nav(shown.map(([id, label]) => [id, label] as const))}
        <main id="main" class="wrap">${main}</main>
        <footer>
          <div class="wrap">
            <p>
              Generated ${when(model.generatedAt)} by azure-readiness-scanner (classic-to-ARM
              migration and retirement readiness).
              ${
                hasScan && model.findings.length > 0
                  ? html`<a href="${raw(safeHref(model.csvUrl))}">Open findings as CSV</a>.`
                  : ''
              }
            </p>
            <p>
              Blocker: the migration cannot proceed until fixed. Warning: the migration proceeds but
              something is lost or causes downtime. Info: worth knowing.
            </p>
          </div>
        </footer>
        ${scriptTag}
      </body>
    </html>`;
  return `${page.value.trim()}\n`;
}
