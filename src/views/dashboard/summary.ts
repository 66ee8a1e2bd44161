// The dashboard's summary section. The summary cards: open findings by severity, new and resolved since the previous scan.
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { n } from './common.js';

export function summary(model: DashboardModel, hasFindings: boolean): Html {
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
