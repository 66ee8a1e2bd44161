// The dashboard page (GET /api/dashboard): one self-contained HTML page, server-rendered from the DashboardModel.
// Nothing is loaded from anywhere: one inline style and one inline script, both allowed by a per-response nonce.
// Every tenant-controlled string goes through `html` (escaped); links go through `safeHref`.
import { formatProgress } from '../core/progress.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { URGENCIES } from '../core/urgency.js';
import type { DashboardFinding, DashboardModel, DashboardSubscription } from './dashboard-model.js';
import { html, raw, safeHref, type Html } from './html.js';
import {
  age,
  badge,
  byText,
  duration,
  n,
  plural,
  ruleLink,
  ruleTitle,
  SEVERITY_LABEL,
  STATE_LABEL,
  stateTag,
  subscriptionName,
  truncate,
  URGENCY_LABEL,
  when,
  type Lookups,
} from './dashboard/common.js';
import { deadlines } from './dashboard/deadlines.js';

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

/** Bars drawn per chart; the rest is summed up in a note under the chart. */
const MAX_BARS = 25;

/**
 * Colours pass WCAG AA (text ≥ 4.5:1, bars and focus rings ≥ 3:1) in both schemes;
 * severity, state and status are always written out as text too.
 */
const STYLE = `
:root {
  color-scheme: light dark;
  --fg: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --panel: #f3f4f6; --line: #8c8c8c; --soft-line: #d0d3d8;
  --link: #0645ad; --focus: #0b57d0;
  --blocker: #a4262c; --warning: #7a4a00; --info: #005a9e; --ok: #0b6a0b; --neutral: #4a4a4a;
  --bar-blocker: #a4262c; --line-open: #005a9e; --line-blocker: #a4262c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #ececec; --muted: #bdbdbd; --bg: #15171b; --panel: #22252b; --line: #7d828a; --soft-line: #3a3e45;
    --link: #8ab4f8; --focus: #8ab4f8;
    --bar-blocker: #f28b82; --line-open: #8ab4f8; --line-blocker: #f28b82;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
.wrap { max-width: 82rem; margin: 0 auto; padding: 0 1rem; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
code { font-family: ui-monospace, "Cascadia Mono", Consolas, Menlo, monospace; font-size: .88em; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--fg); }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
p { margin: .35rem 0; }
.muted { color: var(--muted); }
.skip { position: absolute; left: -999px; top: .5rem; padding: .5rem .75rem; background: var(--bg); color: var(--link); z-index: 10; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.top { background: var(--panel); border-bottom: 1px solid var(--soft-line); padding: 1rem 0 .75rem; }
.brand { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; }
.brand p { margin: 0; color: var(--muted); }
.scan { margin-top: .75rem; }
.scan h2 { font-size: 1rem; margin: 0 0 .35rem; padding: 0; border: 0; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.75rem; margin: 0; }
.facts div { min-width: 8rem; }
.facts dt { font-size: .8rem; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.incomplete { margin: .5rem 0 0; padding-left: 1.25rem; }
.alert { margin: .5rem 0 0; padding: .5rem .75rem; border-left: 4px solid var(--warning); background: var(--bg); }
.alert.failed { border-left-color: var(--blocker); }

nav.sections { border-bottom: 1px solid var(--soft-line); }
nav.sections ul { list-style: none; display: flex; flex-wrap: wrap; gap: .1rem 1rem; margin: 0; padding: .4rem 0; }
nav.sections a { display: inline-block; padding: .2rem 0; }

.badge, .status { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-size: .8rem; font-weight: 700; color: #fff; white-space: nowrap; }
.badge-blocker { background: var(--blocker); }
.badge-warning { background: var(--warning); }
.badge-info { background: var(--info); }
.state { font-size: .8rem; font-weight: 700; white-space: nowrap; }
.state-new, .state-reopened { padding: .05rem .45rem; border: 1px solid currentColor; border-radius: .25rem; }
.status-succeeded { background: var(--ok); }
.status-partial { background: var(--warning); }
.status-failed { background: var(--blocker); }
.status-running { background: var(--info); }
.status-none { background: var(--neutral); }

.cards { list-style: none; display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: .75rem; margin: 0; padding: 0; }
.card { background: var(--panel); border: 1px solid var(--soft-line); border-top: 4px solid var(--line); border-radius: .35rem; padding: .6rem .75rem; }
.card-blocker { border-top-color: var(--blocker); }
.card-warning { border-top-color: var(--warning); }
.card-info { border-top-color: var(--info); }
.card-value { display: block; font-size: 1.75rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card-label { display: block; }
.card button { margin-top: .35rem; }

.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 1rem 2rem; }
.chart { min-width: 0; margin: 0; }
svg.bars { display: block; width: 100%; overflow: hidden; }
svg.bars text { fill: var(--fg); font-size: 13px; }
svg.bars .bar-value { font-weight: 700; font-variant-numeric: tabular-nums; }
svg.bars rect { fill: var(--bar-blocker); }

.timeline { list-style: none; display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 9.5rem), 1fr)); gap: .75rem; margin: 0; padding: 0; counter-reset: stage; }
.stage { background: var(--panel); border: 1px solid var(--soft-line); border-top: 4px solid var(--line); border-radius: .35rem; padding: .6rem .75rem; min-width: 0; }
.stage-overdue { border-top-color: var(--blocker); }
.stage-due-7, .stage-due-30 { border-top-color: var(--warning); }
.stage-due-90, .stage-due-180 { border-top-color: var(--info); }
.stage-count { font-size: 1.5rem; font-weight: 700; line-height: 1.2; margin: 0; }
.stage ul { margin: .35rem 0 0; padding-left: 1.1rem; font-size: .88rem; }
.stage li { margin: .3rem 0; overflow-wrap: anywhere; }
.owner { display: block; }

.trend svg { display: block; width: 100%; height: 90px; background: var(--panel); border: 1px solid var(--soft-line); border-radius: .35rem; }
.trend .line-open { fill: none; stroke: var(--line-open); stroke-width: 2.5; }
.trend .line-blocker { fill: none; stroke: var(--line-blocker); stroke-width: 2; stroke-dasharray: 6 4; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .35rem 0 0; padding: 0; list-style: none; font-size: .9rem; }
.key { display: inline-block; width: 1.5rem; height: 0; vertical-align: middle; margin-right: .35rem; border-top: 3px solid var(--line-open); }
.key-blocker { border-top: 3px dashed var(--line-blocker); }

.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); gap: .6rem 1rem; align-items: end; margin: .5rem 0; }
.field label { display: block; font-size: .85rem; font-weight: 600; margin-bottom: .15rem; }
.field input, .field select { width: 100%; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: .25rem; padding: .35rem .45rem; min-height: 2.4rem; }
.field-search { grid-column: 1 / -1; max-width: 36rem; }
button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: .25rem; padding: .35rem .8rem; min-height: 2.4rem; cursor: pointer; }
button:hover { background: var(--panel); }
.count { font-weight: 600; margin: .5rem 0; }
.cap { padding: .5rem .75rem; border-left: 4px solid var(--info); background: var(--panel); }

.table-wrap { overflow-x: auto; border: 1px solid var(--soft-line); border-radius: .35rem; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.findings { min-width: 74rem; }
.findings .c-severity { width: 5.75rem; } .findings .c-state { width: 6.75rem; } .findings .c-rule { width: 11rem; }
.findings .c-resource { width: 10rem; } .findings .c-subscription { width: 9rem; } .findings .c-group { width: 7.5rem; }
.findings .c-owners { width: 10rem; } .findings .c-deadline { width: 6.75rem; }
.subs { min-width: 44rem; }
caption { text-align: left; font-weight: 600; padding: .45rem .6rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-top: 1px solid var(--soft-line); overflow-wrap: anywhere; }
thead th { background: var(--panel); border-top: 0; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sub { display: block; font-weight: normal; font-size: .78rem; color: var(--muted); }
.message { min-width: 16rem; }
.empty { padding: .75rem 1rem; background: var(--panel); border-radius: .35rem; }

footer { margin-top: 2.5rem; padding: 1rem 0 2rem; border-top: 1px solid var(--soft-line); font-size: .85rem; color: var(--muted); }
footer a { color: var(--link); }

@media (max-width: 40rem) {
  body { font-size: 14px; }
  h1 { font-size: 1.35rem; }
  .card-value { font-size: 1.45rem; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
}
@media print {
  nav.sections, .filters, .skip, .card button { display: none; }
  .table-wrap { overflow: visible; border: 0; }
  .findings, .subs { min-width: 0; }
}
`;

/** The filters: toggles `hidden` on server-rendered rows by their data attributes. No markup is ever built from data. */
const SCRIPT = `
(() => {
  'use strict';
  const service = document.getElementById('t-service');
  if (!service) return;
  const items = Array.from(document.querySelectorAll('.timeline li[data-service]'));
  service.addEventListener('change', () => {
    for (const li of items) li.hidden = service.value !== '' && li.dataset.service !== service.value;
  });
})();
(() => {
  'use strict';
  const byId = (id) => document.getElementById(id);
  const table = byId('findings-table');
  if (!table || !table.tBodies[0]) return;
  const rows = Array.from(table.tBodies[0].rows);
  const search = byId('f-search');
  const selects = {
    severity: byId('f-severity'),
    rule: byId('f-rule'),
    subscription: byId('f-subscription'),
    state: byId('f-state'),
    urgency: byId('f-urgency'),
  };
  const count = byId('findings-count');
  const none = byId('findings-none');
  const apply = () => {
    const terms = (search ? search.value : '').toLowerCase().split(/\\s+/).filter(Boolean);
    const wanted = Object.entries(selects).filter(([, el]) => el && el.value).map(([key, el]) => [key, el.value]);
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.text || '';
      const ok = wanted.every(([key, value]) => row.dataset[key] === value) && terms.every((t) => text.includes(t));
      row.hidden = !ok;
      if (ok) shown += 1;
    }
    if (count) count.textContent = 'Showing ' + shown.toLocaleString('en-US') + ' of ' + rows.length.toLocaleString('en-US') + (rows.length === 1 ? ' finding' : ' findings');
    if (none) none.hidden = shown !== 0;
  };
  if (search) search.addEventListener('input', apply);
  for (const el of Object.values(selects)) if (el) el.addEventListener('change', apply);
  const reset = byId('f-reset');
  if (reset) reset.addEventListener('click', () => {
    if (search) search.value = '';
    for (const el of Object.values(selects)) if (el) el.value = '';
    apply();
    if (search) search.focus();
  });
  for (const button of document.querySelectorAll('button[data-show-state]')) {
    button.addEventListener('click', () => {
      if (search) search.value = '';
      for (const el of Object.values(selects)) if (el) el.value = '';
      if (selects.state) selects.state.value = button.dataset.showState || '';
      apply();
      const heading = byId('findings-h');
      if (heading) heading.scrollIntoView();
      if (selects.state) selects.state.focus();
    });
  }
  apply();
})();
`;

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

// ---------------------------------------------------------------------------------------------------------------------
// Header

const STATUS_TEXT = {
  succeeded: 'succeeded',
  partial: 'partial',
  failed: 'failed',
  running: 'running',
} as const;

function header(model: DashboardModel, look: Lookups): Html {
  const scan = model.status.lastScan;
  const brand = html`<div class="brand">
    <h1>Azure migration readiness</h1>
    <p>Classic-to-ARM migration and retirement readiness of the tenant</p>
  </div>`;
  if (!scan) {
    return html`<header class="top">
      <div class="wrap">
        ${brand}
        <section class="scan" aria-labelledby="scan-h">
          <h2 id="scan-h">Last scan</h2>
          <p><span class="status status-none">no scan yet</span> No scan has finished yet.</p>
        </section>
      </div>
    </header>`;
  }
  const took = duration(scan.startedAt, scan.endedAt);
  const more = scan.incompleteTotal - scan.incomplete.length;
  const incomplete =
    scan.incomplete.length > 0
      ? html`<div class="alert ${scan.status === 'failed' ? 'failed' : ''}">
          <p>
            ${plural(scan.incompleteTotal, 'subscription was', 'subscriptions were')} not scanned
            completely; their findings are kept from their last complete scan:
          </p>
          <ul class="incomplete">
            ${scan.incomplete.map(
              (s) =>
                html`<li>
                  <strong>${subscriptionName(s.subscriptionId, look)}</strong>
                  <code>${s.subscriptionId}</code>: ${s.outcome} — ${s.reason}
                </li>`,
            )}
            ${more > 0 ? html`<li>and ${plural(more, 'more subscription', 'more subscriptions')}</li>` : ''}
          </ul>
        </div>`
      : '';
  const failed =
    scan.status === 'failed'
      ? html`<p class="alert failed">
          The last scan failed${scan.error ? html`: ${scan.error}` : ''}. The figures below are from
          earlier
          scans${
            model.status.lastSucceededAt
              ? html`; the last successful scan ended ${when(model.status.lastSucceededAt)}`
              : ''
          }.
        </p>`
      : '';
  const ruleErrors =
    scan.ruleErrors > 0
      ? html`<p class="alert">
          ${plural(scan.ruleErrors, 'rule evaluation', 'rule evaluations')} failed during the scan;
          some findings may be missing.
        </p>`
      : '';
  const fresh = model.status.freshness;
  const stale =
    fresh?.stale && scan.status !== 'failed'
      ? html`<p class="alert">
          The figures may be out of date:
          ${
            fresh.lastSucceededAt && fresh.ageSeconds !== null
              ? html`the last successful scan ended ${age(fresh.ageSeconds)} ago`
              : 'no scan has succeeded yet'
          },
          more than two scan intervals (${age(fresh.staleAfterSeconds)}).
        </p>`
      : '';
  return html`<header class="top">
    <div class="wrap">
      ${brand}
      <section class="scan" aria-labelledby="scan-h">
        <h2 id="scan-h">
          Last scan <span class="status status-${scan.status}">${STATUS_TEXT[scan.status]}</span>
        </h2>
        ${
          scan.status === 'running' && scan.progress
            ? html`<p class="progress">Scanning: ${formatProgress(scan.progress)}</p>`
            : ''
        }
        <dl class="facts">
          <div>
            <dt>Scan</dt>
            <dd><code>${scan.id}</code></dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>${when(scan.startedAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              ${scan.endedAt ? html`${when(scan.endedAt)}${took ? ` (${took})` : ''}` : 'running'}
            </dd>
          </div>
          <div>
            <dt>Subscriptions</dt>
            <dd>${n(scan.subscriptionsComplete)} of ${n(scan.subscriptions)} complete</dd>
          </div>
          <div>
            <dt>Resources scanned</dt>
            <dd>${n(scan.resources)}</dd>
          </div>
          <div>
            <dt>Trigger</dt>
            <dd>${scan.trigger}</dd>
          </div>
        </dl>
        ${failed} ${stale} ${incomplete} ${ruleErrors}
      </section>
    </div>
  </header>`;
}

function nav(hasScan: boolean): Html {
  const links: [string, string][] = hasScan
    ? [
        ['summary-h', 'Summary'],
        ['blockers-h', 'Blockers'],
        ['deadlines-h', 'Deadlines'],
        ['trend-h', 'Trend'],
        ['findings-h', 'Findings'],
        ['resolved-h', 'Resolved'],
        ['subscriptions-h', 'Subscriptions'],
      ]
    : [];
  if (links.length === 0) return html``;
  return html`<nav class="sections" aria-label="Sections">
    <div class="wrap">
      <ul>
        ${links.map(([id, text]) => html`<li><a href="#${id}">${text}</a></li>`)}
      </ul>
    </div>
  </nav>`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Summary cards

function summary(model: DashboardModel, hasFindings: boolean): Html {
  const { findings, changes } = model.status;
  const card = (cls: string, value: string, label: string, extra: Html | string = '') =>
    html`<li class="card ${cls}">
      <span class="card-value">${value}</span> <span class="card-label">${label}</span>${extra}
    </li>`;
  const showNew =
    hasFindings && changes.new + changes.reopened > 0
      ? html`<button type="button" data-show-state="new">Show new findings</button>`
      : '';
  const compared = changes.previousScanId
    ? html`<p class="muted">
        New and resolved are counted against the previous scan
        <code>${changes.previousScanId}</code>.
      </p>`
    : html`<p class="muted">
        This is the first scan: there is no previous scan to compare with yet.
      </p>`;
  return html`<section aria-labelledby="summary-h">
    <h2 id="summary-h">Summary</h2>
    <ul class="cards">
      ${card('card-blocker', n(findings.bySeverity.blocker), 'open blockers')}
      ${card('card-warning', n(findings.bySeverity.warning), 'open warnings')}
      ${card('card-info', n(findings.bySeverity.info), 'open info findings')}
      ${card('', n(findings.open), 'open findings in all')}
      ${
        findings.exempted > 0
          ? card('', n(findings.exempted), 'exempted (accepted until a date), not counted above')
          : ''
      }
      ${card(
        '',
        n(changes.new),
        changes.previousScanId ? 'new since the previous scan' : 'new in this first scan',
        html`${changes.reopened > 0 ? html`<span class="sub">and ${n(changes.reopened)} reopened</span>` : ''}${showNew}`,
      )}
      ${card(
        '',
        n(changes.resolved),
        changes.previousScanId ? 'resolved since the previous scan' : 'resolved (first scan)',
      )}
    </ul>
    ${compared}
  </section>`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Charts

interface Bar {
  readonly label: string;
  readonly detail: string;
  readonly value: number;
}

/** Chart label lines: at most two, of at most this many characters, wrapped at spaces. */
const LABEL_CHARS = 46;

/** Splits a label into at most two lines at spaces (the second ends in … when the label is longer). */
function labelLines(label: string): string[] {
  if (Array.from(label).length <= LABEL_CHARS) return [label];
  const words = label.split(/\s+/);
  let first = '';
  while (words.length > 0) {
    const next = first ? `${first} ${words[0]}` : (words[0] as string);
    if (Array.from(next).length > LABEL_CHARS) break;
    first = next;
    words.shift();
  }
  if (!first) return [truncate(label, LABEL_CHARS)];
  return [first, truncate(words.join(' '), LABEL_CHARS)];
}

/** A horizontal bar chart in inline SVG: each row a label, a bar scaled to the largest value and the value as text. */
function barChart(id: string, title: string, bars: readonly Bar[], unit: [string, string]): Html {
  const shown = bars.slice(0, MAX_BARS);
  const rest = bars.slice(MAX_BARS);
  const max = Math.max(1, ...shown.map((b) => b.value));
  const desc = shown.map((b) => `${b.label}: ${plural(b.value, ...unit)}`).join('; ');
  const restTotal = rest.reduce((sum, b) => sum + b.value, 0);
  // Each row: its label lines (16 px each), then the bar (16 px) and a gap.
  let y = 0;
  const rows = shown.map((b) => {
    const lines = labelLines(b.label);
    const row = { bar: b, lines, top: y };
    y += lines.length * 16 + 30;
    return row;
  });
  return html`<div class="chart">
    <h3 id="${id}-h">${title}</h3>
    <svg
      class="bars"
      id="${id}"
      role="img"
      aria-labelledby="${id}-title ${id}-desc"
      width="100%"
      height="${y}"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="${id}-title">${title}</title>
      <desc id="${id}-desc">${desc}</desc>
      ${rows.map(({ bar: b, lines, top }) => {
        const pct = Math.max(0.5, (b.value / max) * 82).toFixed(2);
        const barTop = top + lines.length * 16 + 6;
        return html`<g class="bar" data-value="${b.value}">
          <title>${b.detail}: ${plural(b.value, ...unit)}</title>
          <text class="bar-label" x="0" y="${top + 14}">
            ${lines.map((line, i) => html`<tspan x="0" dy="${i === 0 ? 0 : 16}">${line}</tspan>`)}
          </text>
          <rect x="0" y="${barTop}" width="${pct}%" height="16" rx="2"></rect>
          <text class="bar-value" x="${pct}%" dx="6" y="${barTop + 13}">${n(b.value)}</text>
        </g>`;
      })}
    </svg>
    ${
      rest.length > 0
        ? html`<p class="muted">
            And ${plural(rest.length, 'more', 'more')} with ${plural(restTotal, ...unit)} in all
            (not drawn).
          </p>`
        : ''
    }
  </div>`;
}

function severityOfRule(
  model: DashboardModel,
  look: Lookups,
): (ruleId: string) => Severity | undefined {
  const fromFindings = new Map<string, Severity>();
  for (const f of model.findings)
    if (!fromFindings.has(f.ruleId)) fromFindings.set(f.ruleId, f.severity);
  return (ruleId) => look.rules.get(ruleId)?.severity ?? fromFindings.get(ruleId);
}

function blockerCharts(model: DashboardModel, look: Lookups): Html {
  const bySubscription: Bar[] = model.subscriptions
    .filter((s) => s.bySeverity.blocker > 0)
    .map((s) => ({
      label: s.displayName || s.subscriptionId,
      detail: `${s.displayName || s.subscriptionId} (${s.subscriptionId})`,
      value: s.bySeverity.blocker,
    }))
    .sort((a, b) => b.value - a.value || byText(a.label, b.label));
  const severity = severityOfRule(model, look);
  const byRule: Bar[] = Object.entries(model.status.findings.byRule)
    .filter(([ruleId, count]) => count > 0 && severity(ruleId) === 'blocker')
    .map(([ruleId, count]) => ({
      label: ruleTitle(ruleId, look),
      detail: `${ruleTitle(ruleId, look)} (${ruleId})`,
      value: count,
    }))
    .sort((a, b) => b.value - a.value || byText(a.label, b.label));
  const body =
    bySubscription.length === 0 && byRule.length === 0
      ? html`<p class="empty">No open blockers: nothing found stops the migration.</p>`
      : html`<div class="charts">
          ${
            bySubscription.length > 0
              ? barChart('chart-subscriptions', 'Blockers by subscription', bySubscription, [
                  'blocker',
                  'blockers',
                ])
              : html`<p class="empty">No subscription has open blockers.</p>`
          }
          ${
            byRule.length > 0
              ? barChart('chart-rules', 'Blockers by rule', byRule, ['resource', 'resources'])
              : ''
          }
        </div>`;
  return html`<section aria-labelledby="blockers-h">
    <h2 id="blockers-h">Blockers</h2>
    <p>Blockers stop the migration: the platform's validation fails until they are fixed.</p>
    ${body}
  </section>`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Deadlines and trend

function trend(model: DashboardModel): Html {
  const days = model.trend;
  if (days.length < 2) {
    return html`<section aria-labelledby="trend-h" class="trend">
      <h2 id="trend-h">Trend</h2>
      <p class="muted">
        The trend of open findings appears once scans have run on two different days.
      </p>
    </section>`;
  }
  const width = 1000;
  const height = 90;
  const max = Math.max(1, ...days.map((d) => d.open));
  const x = (i: number) => ((i / (days.length - 1)) * width).toFixed(1);
  const y = (v: number) => (height - 6 - (v / max) * (height - 14)).toFixed(1);
  const line = (pick: (d: (typeof days)[number]) => number) =>
    days.map((d, i) => `${x(i)},${y(pick(d))}`).join(' ');
  const first = days[0] as (typeof days)[number];
  const last = days[days.length - 1] as (typeof days)[number];
  const lowest = Math.min(...days.map((d) => d.open));
  const text = `Open findings went from ${n(first.open)} on ${first.day} to ${n(last.open)} on ${last.day} (lowest ${n(lowest)}, highest ${n(max)}); blockers from ${n(first.bySeverity.blocker)} to ${n(last.bySeverity.blocker)}.`;
  return html`<section aria-labelledby="trend-h" class="trend">
    <h2 id="trend-h">Trend</h2>
    <svg
      id="trend-chart"
      role="img"
      aria-labelledby="trend-title trend-desc"
      viewBox="0 0 ${width} ${height}"
      preserveAspectRatio="none"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="trend-title">Open findings per day, ${first.day} to ${last.day}</title>
      <desc id="trend-desc">${text}</desc>
      <polyline
        class="line-open"
        points="${line((d) => d.open)}"
        vector-effect="non-scaling-stroke"
      ></polyline>
      <polyline
        class="line-blocker"
        points="${line((d) => d.bySeverity.blocker)}"
        vector-effect="non-scaling-stroke"
      ></polyline>
    </svg>
    <ul class="legend">
      <li><span class="key"></span>Open findings</li>
      <li><span class="key key-blocker"></span>Open blockers</li>
    </ul>
    <p>${text}</p>
  </section>`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Findings table with filters

function option(value: string, text: string): Html {
  return html`<option value="${value}">${text}</option>`;
}

function counted<K extends string>(
  items: readonly DashboardFinding[],
  key: (f: DashboardFinding) => K,
): Map<K, number> {
  const counts = new Map<K, number>();
  for (const f of items) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return counts;
}

function filters(model: DashboardModel, look: Lookups): Html {
  const fs = model.findings;
  const sev = counted(fs, (f) => f.severity);
  const states = counted(fs, (f) => f.state);
  const urg = counted(fs, (f) => f.urgency ?? 'none');
  const rules = [...counted(fs, (f) => f.ruleId)].sort(
    ([a], [b]) =>
      byText(ruleTitle(a, look).toLowerCase(), ruleTitle(b, look).toLowerCase()) || byText(a, b),
  );
  const subs = [...counted(fs, (f) => f.subscriptionId)]
    .map(([id, count]) => {
      const name =
        fs.find((f) => f.subscriptionId === id)?.subscriptionName || subscriptionName(id, look);
      return { id, count, name };
    })
    .sort((a, b) => byText(a.name.toLowerCase(), b.name.toLowerCase()) || byText(a.id, b.id));
  const select = (id: string, label: string, options: Html[]) =>
    html`<div class="field">
      <label for="${id}">${label}</label>
      <select id="${id}" autocomplete="off">
        ${option('', 'All')} ${options}
      </select>
    </div>`;
  return html`<div class="filters" role="search" aria-label="Filter the findings">
    <div class="field field-search">
      <label for="f-search">Search</label>
      <input
        id="f-search"
        type="search"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="f-search-hint"
        placeholder="resource, owner, message…"
      />
      <span id="f-search-hint" class="sub">
        Matches resource names and ids, rules, subscriptions, resource groups, owners and messages.
      </span>
    </div>
    ${select(
      'f-severity',
      'Severity',
      SEVERITIES.filter((s) => sev.has(s)).map((s) =>
        option(s, `${SEVERITY_LABEL[s].one} (${n(sev.get(s) ?? 0)})`),
      ),
    )}
    ${select(
      'f-rule',
      'Rule',
      rules.map(([id, count]) => option(id, `${ruleTitle(id, look)} (${n(count)})`)),
    )}
    ${select(
      'f-subscription',
      'Subscription',
      subs.map((s) => option(s.id, `${s.name} (${n(s.count)})`)),
    )}
    ${select(
      'f-state',
      'State',
      (['new', 'reopened', 'open'] as const)
        .filter((s) => states.has(s))
        .map((s) => option(s, `${STATE_LABEL[s]} (${n(states.get(s) ?? 0)})`)),
    )}
    ${select('f-urgency', 'Deadline', [
      ...URGENCIES.filter((u) => urg.has(u)).map((u) =>
        option(u, `${URGENCY_LABEL[u]} (${n(urg.get(u) ?? 0)})`),
      ),
      ...(urg.has('none') ? [option('none', `No deadline (${n(urg.get('none') ?? 0)})`)] : []),
    ])}
    <div class="field">
      <button type="button" id="f-reset">Clear filters</button>
    </div>
  </div>`;
}

function searchText(f: DashboardFinding, look: Lookups): string {
  return [
    f.resourceName,
    f.resourceId,
    f.resourceType,
    f.ruleId,
    ruleTitle(f.ruleId, look),
    f.subscriptionName,
    f.subscriptionId,
    f.resourceGroup,
    f.owners,
    f.message,
    f.deadline ?? '',
  ]
    .join(' ')
    .toLowerCase();
}

/** `microsoft.classiccompute/virtualmachines` → `classiccompute/ virtualmachines` (a break after each slash). */
function shortType(type: string): Html {
  const parts = type.replace(/^microsoft\./i, '').split('/');
  return html`${parts.map((p, i) => (i === 0 ? html`${p}` : html`/<wbr />${p}`))}`;
}

/** One owner a line, each address breakable after its @. */
function owners(list: string): Html {
  const each = list
    .split(/[,;]\s*/)
    .map((o) => o.trim())
    .filter(Boolean);
  if (each.length === 0) return html`<span class="muted">none</span>`;
  return html`${each.map((o) => {
    const at = o.indexOf('@');
    return at > 0
      ? html`<span class="owner">${o.slice(0, at + 1)}<wbr />${o.slice(at + 1)}</span>`
      : html`<span class="owner">${o}</span>`;
  })}`;
}

function deadlineCell(f: DashboardFinding): Html {
  if (!f.deadline) return html`<td><span class="muted">—</span></td>`;
  return html`<td>
    <time datetime="${f.deadline}">${f.deadline}</time>${
      f.urgency ? html`<span class="sub">${URGENCY_LABEL[f.urgency]}</span>` : ''
    }
  </td>`;
}

function findingRow(f: DashboardFinding, look: Lookups): Html {
  return html`<tr
    data-severity="${f.severity}"
    data-state="${f.state}"
    data-rule="${f.ruleId}"
    data-subscription="${f.subscriptionId}"
    data-urgency="${f.urgency ?? 'none'}"
    data-text="${searchText(f, look)}"
  >
    <td>${badge(f.severity)}</td>
    <td>${stateTag(f.state)}<span class="sub">since ${f.firstSeen.slice(0, 10)}</span></td>
    <td>${ruleLink(f.ruleId, look)}</td>
    <th scope="row">
      <span title="${f.resourceId}">${f.resourceName}</span>
      <span class="sub" title="${f.resourceType}">${shortType(f.resourceType)}</span>
    </th>
    <td>${f.subscriptionName || f.subscriptionId}</td>
    <td>${f.resourceGroup}</td>
    <td class="owners">${owners(f.owners)}</td>
    ${deadlineCell(f)}
    <td class="message">${f.message}</td>
  </tr>`;
}

function findingsSection(model: DashboardModel, look: Lookups): Html {
  const fs = model.findings;
  if (fs.length === 0) {
    return html`<section aria-labelledby="findings-h" id="findings">
      <h2 id="findings-h">Open findings</h2>
      <p class="empty">
        No open findings: nothing in the scanned resources blocks the migration or is due for
        retirement.
      </p>
    </section>`;
  }
  const capped = model.findingsTotal > fs.length;
  return html`<section aria-labelledby="findings-h" id="findings">
    <h2 id="findings-h">Open findings</h2>
    ${
      capped
        ? html`<p class="cap">
            The table lists the ${n(fs.length)} most serious of ${n(model.findingsTotal)} open
            findings (at most ${n(model.findingsLimit)}).
            <a href="${raw(safeHref(model.csvUrl))}">Download the open findings as CSV</a> (1,000 rows a page; the <code>x-ms-continuation</code> response header pages on).
          </p>`
        : ''
    }
    ${filters(model, look)}
    <p class="count" id="findings-count" aria-live="polite">
      Showing ${n(fs.length)} of ${plural(fs.length, 'finding', 'findings')}
    </p>
    <div class="table-wrap" role="region" aria-labelledby="findings-caption" tabindex="0">
      <table class="findings" id="findings-table">
        <caption id="findings-caption">
          Open findings, most serious
          first${capped ? ` (first ${n(fs.length)} of ${n(model.findingsTotal)})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="c-severity">Severity</th>
            <th scope="col" class="c-state">State</th>
            <th scope="col" class="c-rule">Rule</th>
            <th scope="col" class="c-resource">Resource</th>
            <th scope="col" class="c-subscription">Subscription</th>
            <th scope="col" class="c-group">Resource group</th>
            <th scope="col" class="c-owners">Owners</th>
            <th scope="col" class="c-deadline">Deadline</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${fs.map((f) => findingRow(f, look))}
        </tbody>
      </table>
      <p class="empty" id="findings-none" hidden>No finding matches the filters.</p>
    </div>
  </section>`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Resolved and subscriptions

function resolvedSection(model: DashboardModel, look: Lookups): Html {
  const rs = model.resolved;
  return html`<section aria-labelledby="resolved-h">
    <h2 id="resolved-h">Resolved by the last scan</h2>
    ${
      rs.length === 0
        ? html`<p class="empty">Nothing was resolved by the last scan.</p>`
        : html`<div
            class="table-wrap"
            role="region"
            aria-labelledby="resolved-caption"
            tabindex="0"
          >
            <table class="subs" id="resolved-table">
              <caption id="resolved-caption">
                ${plural(rs.length, 'finding', 'findings')} no longer found by the last scan
              </caption>
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Subscription</th>
                  <th scope="col">Resolved</th>
                </tr>
              </thead>
              <tbody>
                ${rs.map(
                  (f) =>
                    html`<tr>
                      <th scope="row">
                        <span title="${f.resourceId}">${f.resourceName}</span>
                        <span class="sub">${f.resourceGroup}</span>
                      </th>
                      <td>${ruleLink(f.ruleId, look)}</td>
                      <td>${badge(f.severity)}</td>
                      <td>${f.subscriptionName || f.subscriptionId}</td>
                      <td>${when(f.resolvedAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

const OUTCOME_TEXT: Record<DashboardSubscription['outcome'], string> = {
  complete: 'complete',
  failed: 'failed',
  unreached: 'not reached',
};

function subscriptionsSection(model: DashboardModel): Html {
  const subs = [...model.subscriptions].sort(
    (a, b) =>
      b.bySeverity.blocker - a.bySeverity.blocker ||
      b.open - a.open ||
      byText(a.displayName.toLowerCase(), b.displayName.toLowerCase()),
  );
  return html`<section aria-labelledby="subscriptions-h">
    <h2 id="subscriptions-h">Subscriptions</h2>
    ${
      subs.length === 0
        ? html`<p class="empty">No subscription has been scanned yet.</p>`
        : html`<div
            class="table-wrap"
            role="region"
            aria-labelledby="subscriptions-caption"
            tabindex="0"
          >
            <table class="subs" id="subscriptions-table">
              <caption id="subscriptions-caption">
                Open findings per subscription
                (${plural(subs.length, 'subscription', 'subscriptions')})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Subscription</th>
                  <th scope="col">Last scan</th>
                  <th scope="col" class="num">Blockers</th>
                  <th scope="col" class="num">Warnings</th>
                  <th scope="col" class="num">Info</th>
                  <th scope="col" class="num">Open</th>
                  <th scope="col">Last complete scan</th>
                </tr>
              </thead>
              <tbody>
                ${subs.map(
                  (s) =>
                    html`<tr>
                      <th scope="row">
                        ${s.displayName || s.subscriptionId}<code class="sub"
                          >${s.subscriptionId}</code
                        >
                      </th>
                      <td>
                        ${OUTCOME_TEXT[s.outcome]}${s.reason ? html`<span class="sub">${s.reason}</span>` : ''}
                      </td>
                      <td class="num">${n(s.bySeverity.blocker)}</td>
                      <td class="num">${n(s.bySeverity.warning)}</td>
                      <td class="num">${n(s.bySeverity.info)}</td>
                      <td class="num">${n(s.open)}</td>
                      <td>${when(s.lastCompleteAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

function exemptionsSection(model: DashboardModel): Html {
  const exemptions = model.exemptions ?? [];
  const audit = model.audit ?? [];
  if (exemptions.length === 0 && audit.length === 0) return html``;
  return html`<section aria-labelledby="exemptions-h">
    <h2 id="exemptions-h">Exemptions</h2>
    <p>
      Findings a team accepted until a date: still scanned and listed, counted apart, left out of the
      digests. A stale exemption matched no finding at the last scan.
    </p>
    ${
      exemptions.length === 0
        ? html`<p class="empty">No exemption is in force.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="exemptions-caption" tabindex="0">
          <table id="exemptions-table">
            <caption id="exemptions-caption">
              ${plural(exemptions.length, 'exemption', 'exemptions')}
            </caption>
            <thead>
              <tr>
                <th scope="col">Scope</th>
                <th scope="col">Rule</th>
                <th scope="col">Until</th>
                <th scope="col">State</th>
                <th scope="col" class="num">Findings</th>
                <th scope="col">Why, and who</th>
              </tr>
            </thead>
            <tbody>
              ${exemptions.map(
                (e) => html`<tr>
                  <th scope="row"><code class="sub">${e.scope}</code></th>
                  <td><code>${e.rule}</code></td>
                  <td>${e.expiresOn}</td>
                  <td>${e.state}${e.stale ? ' (stale)' : ''}</td>
                  <td class="num">${n(e.matchedFindings)}</td>
                  <td>${e.justification}<span class="sub">${e.createdBy}</span></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
    }
    ${
      audit.length === 0
        ? html``
        : html`<h3>Changes</h3>
          <ul>
            ${audit.map(
              (a) =>
                html`<li>${when(a.at)}: ${a.who}${a.selfDeclared ? ' (self-declared)' : ''} ${
                  a.action === 'contacts'
                    ? html`set the contacts of subscription <code>${a.subscriptionId ?? ''}</code>`
                    : html`${a.action === 'create' ? 'created' : 'deleted'} exemption <code>${a.exemptionId ?? ''}</code>`
                }</li>`,
            )}
          </ul>`
    }
  </section>`;
}

function refusedSection(model: DashboardModel): Html {
  const refused = model.status.refusedRecipients ?? [];
  if (refused.length === 0) return html``;
  const total = model.status.refusedRecipientsTotal ?? refused.length;
  return html`<section aria-labelledby="refused-h">
    <h2 id="refused-h">Addresses not mailed</h2>
    <p>
      Owner tags named these addresses, but they are outside <code>EMAIL_ALLOWED_DOMAINS</code> or one
      tag named too many: nobody was mailed at them, and their findings went to the next owner. Fix the
      tag where it says.
    </p>
    <div class="table-wrap" role="region" aria-labelledby="refused-caption" tabindex="0">
      <table id="refused-table">
        <caption id="refused-caption">
          ${plural(total, 'refused address', 'refused addresses')}${total > refused.length ? ` (first ${refused.length})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Why</th>
            <th scope="col">Where</th>
            <th scope="col" class="num">Findings</th>
          </tr>
        </thead>
        <tbody>
          ${refused.map(
            (r) => html`<tr>
              <th scope="row"><code>${r.address}</code></th>
              <td>${r.why}</td>
              <td><code class="sub">${r.where}</code></td>
              <td class="num">${n(r.findings)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
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

// ---------------------------------------------------------------------------------------------------------------------
// The page

/** The whole page. `options.nonce` must be the nonce of the CSP header sent with it (see DASHBOARD_CSP). */
export function renderDashboard(model: DashboardModel, options: { nonce: string }): string {
  const nonce = checkNonce(options.nonce);
  const look: Lookups = {
    rules: new Map(model.rules.map((r) => [r.id, r])),
    subscriptions: new Map(model.subscriptions.map((s) => [s.subscriptionId, s])),
  };
  const hasScan = model.status.lastScan !== null;
  // The nonce is plain base64 (checked), so it is safe in an attribute as it is.
  const styleTag = raw(`<style nonce="${nonce}">${STYLE}</style>`);
  const scriptTag = raw(`<script nonce="${nonce}">${SCRIPT}</script>`);
  const main = hasScan
    ? html`${summary(model, model.findings.length > 0)} ${blockerCharts(model, look)}
      ${deadlines(model, look)} ${trend(model)} ${findingsSection(model, look)}
      ${resolvedSection(model, look)} ${subscriptionsSection(model)} ${exemptionsSection(model)} ${refusedSection(model)}`
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
        ${header(model, look)} ${nav(hasScan)}
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
