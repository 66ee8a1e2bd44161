// The HTML report of a scan: one self-contained file to e-mail (inline CSS, no scripts, nothing loaded from anywhere).
import type { ScanReport } from '../../app/report.js';
import type { Finding } from '../../core/finding.js';
import { compareSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { urgencyRank, type Urgency } from '../../core/urgency.js';
import type { RuleMeta } from '../../rules/define-rule.js';
import { rankedList } from '../../views/dashboard/blockers.js';
import {
  badge,
  byText,
  deadlineWords,
  SEVERITY_LABEL,
  URGENCY_LABEL,
} from '../../views/dashboard/common.js';
import { html, raw, safeHref, type Html } from '../../views/html.js';

/** What each severity means, in the report's summary (labels and badges are the dashboard's). */
const SEVERITY_MEANING: Record<Severity, string> = {
  blocker: 'platform validation fails or the migration cannot proceed until fixed',
  warning: 'the migration proceeds but something is lost, dropped, or causes downtime',
  info: 'nothing blocks the migration; worth knowing (ordering, independent moves)',
};

/** Colours pass WCAG AA against their backgrounds; severity is always spelled out too. */
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid #1b1b1b; }
h3 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
h4 { font-size: 1rem; margin: 0 0 .25rem; }
p { margin: .35rem 0; }
a { color: #0645ad; }
code { font-family: ui-monospace, "Cascadia Mono", Consolas, Menlo, monospace; font-size: .9em; }
.lede { color: #3b3b3b; }
.notice { border-left: 4px solid #b35900; background: #fff4e5; padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border: 1px solid #8c8c8c; overflow-wrap: anywhere; }
thead th { background: #ececec; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.rid { display: block; font-weight: normal; font-size: .8rem; color: #4a4a4a; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .2rem; font-size: .8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; color: #fff; }
.badge-blocker { background: #a4262c; }
.badge-warning { background: #7a4a00; }
.badge-info { background: #005a9e; }
.rule { margin: 1rem 0 1.5rem; padding-left: .75rem; border-left: 4px solid #8c8c8c; }
.rule-blocker { border-left-color: #a4262c; }
.rule-warning { border-left-color: #7a4a00; }
.rule-info { border-left-color: #005a9e; }
.links { margin: .25rem 0; padding-left: 1.25rem; overflow-wrap: anywhere; }
.ranked { list-style: none; margin: .25rem 0 1rem; padding: 0; }
.ranked li { display: grid; grid-template-columns: 4.5rem 1fr; gap: .5rem; padding: .25rem 0; border-top: 1px solid #d0d3d8; overflow-wrap: anywhere; }
.rank-count { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; color: #a4262c; }
.rank-group .rank-count { color: #4a4a4a; }
footer { margin-top: 2.5rem; font-size: .85rem; color: #3b3b3b; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: #1b1b1b; }
  .badge { color: #1b1b1b; background: none; border: 1px solid #1b1b1b; }
  thead { display: table-header-group; }
  tr, .rule > p, h3, h4 { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
`;

const LEARN = /^https:\/\/learn\.microsoft\.com\//i;

/** Nothing but this inline style may run or load: a mail client or browser enforces it for the file. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

interface RuleGroup {
  readonly anchor: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly meta: RuleMeta | undefined;
  readonly findings: readonly Finding[];
}

/** Findings grouped by severity (most serious first), then rule id; findings keep the report's order. */
function ruleGroups(report: ScanReport, metaById: ReadonlyMap<string, RuleMeta>): RuleGroup[] {
  const groups = new Map<string, { ruleId: string; severity: Severity; findings: Finding[] }>();
  for (const f of report.findings) {
    const key = `${f.severity}\u0000${f.ruleId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ruleId: f.ruleId, severity: f.severity, findings: [] }));
    group.findings.push(f);
  }
  return [...groups.values()]
    .sort((a, b) => compareSeverity(a.severity, b.severity) || byText(a.ruleId, b.ruleId))
    .map((g, i) => ({ ...g, anchor: `rule-${i + 1}`, meta: metaById.get(g.ruleId) }));
}

function titleOf(group: RuleGroup): string {
  return group.meta?.title ?? group.ruleId;
}

function when(scannedAt: string): { date: string; display: string } {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(scannedAt);
  return match
    ? { date: match[1] as string, display: `${match[1]} ${match[2]} UTC` }
    : { date: scannedAt, display: scannedAt };
}

function severitySummary(report: ScanReport): Html {
  const { bySeverity } = report.summary;
  return html`<table>
    <caption>
      Findings by severity
    </caption>
    <thead>
      <tr>
        <th scope="col">Severity</th>
        <th scope="col">Meaning</th>
        <th scope="col">Findings</th>
      </tr>
    </thead>
    <tbody>
      ${SEVERITIES.map(
        (s) =>
          html`<tr>
            <th scope="row">${SEVERITY_LABEL[s].many}</th>
            <td>${SEVERITY_MEANING[s]}</td>
            <td class="num">${bySeverity[s]}</td>
          </tr> `,
      )}
    </tbody>
    <tfoot>
      <tr>
        <th scope="row" colspan="2">Total</th>
        <td class="num">${report.findings.length}</td>
      </tr>
    </tfoot>
  </table>`;
}

function ruleSummary(groups: readonly RuleGroup[]): Html {
  if (groups.length === 0) return html``;
  return html`<table>
    <caption>
      Findings by rule
    </caption>
    <thead>
      <tr>
        <th scope="col">Rule</th>
        <th scope="col">Rule id</th>
        <th scope="col">Severity</th>
        <th scope="col">Findings</th>
      </tr>
    </thead>
    <tbody>
      ${groups.map(
        (g) =>
          html`<tr>
            <th scope="row"><a href="#${g.anchor}">${titleOf(g)}</a></th>
            <td><code>${g.ruleId}</code></td>
            <td>${SEVERITY_LABEL[g.severity].one}</td>
            <td class="num">${g.findings.length}</td>
          </tr> `,
      )}
    </tbody>
  </table>`;
}

/** Retirement findings counted by urgency (most urgent first), then rule. */
function deadlineSummary(groups: readonly RuleGroup[]): Html {
  const rows = new Map<
    string,
    { urgency: Urgency; group: RuleGroup; deadline: string; count: number }
  >();
  for (const g of groups) {
    for (const f of g.findings) {
      if (!f.deadline || !f.urgency) continue;
      const key = `${f.urgency}\u0000${g.anchor}\u0000${f.deadline}`;
      const row = rows.get(key);
      if (row) row.count++;
      else rows.set(key, { urgency: f.urgency, group: g, deadline: f.deadline, count: 1 });
    }
  }
  if (rows.size === 0) return html`<p>No resource in this scan is affected by a retirement.</p>`;
  const sorted = [...rows.values()].sort(
    (a, b) =>
      urgencyRank(a.urgency) - urgencyRank(b.urgency) ||
      byText(a.deadline, b.deadline) ||
      byText(a.group.ruleId, b.group.ruleId),
  );
  return html`<table>
    <caption>
      Retirement findings by urgency
    </caption>
    <thead>
      <tr>
        <th scope="col">Urgency</th>
        <th scope="col">Retirement</th>
        <th scope="col">Deadline</th>
        <th scope="col">Resources</th>
      </tr>
    </thead>
    <tbody>
      ${sorted.map(
        (r) =>
          html`<tr>
            <th scope="row">${URGENCY_LABEL[r.urgency]}</th>
            <td>
              <a href="#${r.group.anchor}">${titleOf(r.group)}</a> <code>${r.group.ruleId}</code>
            </td>
            <td><time datetime="${r.deadline}">${r.deadline}</time></td>
            <td class="num">${r.count}</td>
          </tr> `,
      )}
    </tbody>
  </table>`;
}

function deadlineCell(f: Finding): Html {
  if (!f.deadline) return html`<td>—</td>`;
  const urgency =
    f.urgency && f.urgency !== 'overdue' ? html` (${URGENCY_LABEL[f.urgency]})` : html``;
  return html`<td>${deadlineWords(f.deadline, f.urgency)}${urgency}</td>`;
}

/** Blockers by rule: the dashboard's ranked list, each entry pointing at its rule's section below. */
function blockersByRule(groups: readonly RuleGroup[]): Html {
  const blockers = groups.filter((g) => g.severity === 'blocker');
  if (blockers.length === 0) return html``;
  return rankedList(
    'rank-rules',
    'Blockers by rule',
    blockers.map((g) => ({
      label: titleOf(g),
      title: g.ruleId,
      href: `#${g.anchor}`,
      value: g.findings.length,
    })),
    ['rule', 'rules'],
    ['resource', 'resources'],
  );
}

function ruleSection(g: RuleGroup): Html {
  const title = titleOf(g);
  const meta = g.meta;
  const deadline = meta?.deadline ?? g.findings.find((f) => f.deadline)?.deadline;
  const hasDeadlines = g.findings.some((f) => f.deadline);
  const hasOwners = g.findings.some((f) => f.owners);
  const links = meta?.links ?? [];
  return html`<section class="rule rule-${g.severity}" aria-labelledby="${g.anchor}">
    <h4 id="${g.anchor}">${title}</h4>
    <p>
      ${badge(g.severity)}
      <code>${g.ruleId}</code
      >${deadline ? html` · retires on <time datetime="${deadline}">${deadline}</time>` : ''}${meta?.manual ? ' · manual check: confirm by hand' : ''}
    </p>
    ${meta ? html`<p><strong>Recommendation:</strong> ${meta.recommendation}</p>` : ''}
    ${
      links.length > 0
        ? html`<p>${links.every((url) => LEARN.test(url)) ? 'Microsoft Learn' : 'Learn more'}:</p>
            <ul class="links">
              ${links.map((url) => html`<li><a href="${raw(safeHref(url))}" rel="noreferrer">${url}</a></li> `)}
            </ul>`
        : ''
    }
    <table>
      <caption>
        Resources: ${title} (${g.findings.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Resource group</th>
          <th scope="col">Subscription</th>
          <th scope="col">Message</th>
          ${hasDeadlines ? html`<th scope="col">Deadline</th>` : ''}
          ${hasOwners ? html`<th scope="col">Owner</th>` : ''}
        </tr>
      </thead>
      <tbody>
        ${g.findings.map(
          (f) =>
            html`<tr class="finding">
              <th scope="row">${f.resourceName} <span class="rid">${f.resourceId}</span></th>
              <td>${f.resourceGroup}</td>
              <td>${f.subscriptionName ? html`${f.subscriptionName} <span class="rid">${f.subscriptionId}</span>` : f.subscriptionId}</td>
              <td>${f.message}</td>
              ${hasDeadlines ? deadlineCell(f) : ''}
              ${hasOwners ? html`<td>${f.owners ?? '—'}${f.ownerReason ? html` <span class="why">(${f.ownerReason})</span>` : ''}</td>` : ''}
            </tr> `,
        )}
      </tbody>
    </table>
  </section> `;
}

function findingsSections(groups: readonly RuleGroup[]): Html {
  if (groups.length === 0) {
    return html`<p>
      No findings: nothing in the scanned resources blocks the migration or is due for retirement.
    </p>`;
  }
  return html`${SEVERITIES.map((s) => {
    const ofSeverity = groups.filter((g) => g.severity === s);
    if (ofSeverity.length === 0) return '';
    const count = ofSeverity.reduce((n, g) => n + g.findings.length, 0);
    return html`<h3>${SEVERITY_LABEL[s].many} (${count})</h3>
      ${ofSeverity.map(ruleSection)}`;
  })}`;
}

/** The whole report as one HTML document; every tenant-controlled string goes through `html`. */
export function renderHtmlReport(report: ScanReport, rules: readonly RuleMeta[]): string {
  const metaById = new Map(rules.map((r) => [r.id, r]));
  const groups = ruleGroups(report, metaById);
  const { date, display } = when(report.scannedAt);
  const { bySeverity } = report.summary;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="${CSP}" />
        <meta name="referrer" content="no-referrer" />
        <title>Azure migration readiness report, ${date}</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>Azure migration readiness report, ${date}</h1>
          <p class="lede">
            Scanned <time datetime="${report.scannedAt}">${display}</time>: ${report.resources}
            resources, ${report.findings.length} findings (${bySeverity.blocker} blockers,
            ${bySeverity.warning} warnings, ${bySeverity.info} info).
          </p>
          ${(report.notices ?? []).map(
            (n) => html`<p class="notice" role="note" data-code="${n.code}">${n.message}</p>`,
          )}
        </header>
        <main>
          <section aria-labelledby="summary">
            <h2 id="summary">Summary</h2>
            ${severitySummary(report)} ${blockersByRule(groups)} ${ruleSummary(groups)}
          </section>
          <section aria-labelledby="deadlines">
            <h2 id="deadlines">Retirement deadlines</h2>
            ${deadlineSummary(groups)}
          </section>
          <section aria-labelledby="findings">
            <h2 id="findings">Findings</h2>
            ${findingsSections(groups)}
          </section>
        </main>
        <footer>
          <p>
            Generated by azure-readiness-scanner (classic-to-ARM migration and retirement
            readiness). Urgency is computed from the scan date.
          </p>
        </footer>
      </body>
    </html> `;
  return `${page.value.trim()}\n`;
}
