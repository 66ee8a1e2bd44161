// The dashboard's summary section: the headline numbers — open blockers, overdue retirements (apart from the
// warnings), the other warnings and info, exempted, and new and resolved since the previous scan. Each card opens
// the view it counts.
import type { DashboardModel } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import { n, plural, type Lookups } from './common.js';

/** Open findings of overdue retirements by severity (from the status' deadlines and the rules' severities). */
function overdueBySeverity(model: DashboardModel, look: Lookups) {
  const out = { blocker: 0, warning: 0, info: 0 };
  for (const r of model.status.deadlines.rules) {
    if (r.urgency !== 'overdue') continue;
    out[look.rules.get(r.ruleId)?.severity ?? 'warning'] += r.count;
  }
  return out;
}

export function summary(model: DashboardModel, look: Lookups): Html {
  const { findings, changes } = model.status;
  const card = (
    cls: string,
    value: number,
    label: string,
    href?: string,
    extra: Html | string = '',
  ) => {
    const text = html`<span class="card-value">${n(value)}</span>
      <span class="card-label">${label}</span>`;
    return html`<li class="card ${cls}">
      ${href ? html`<a class="card-link" href="${raw(safeHref(href))}">${text}</a>` : text}${extra}
    </li>`;
  };
  const overdue = overdueBySeverity(model, look);
  const overdueTotal = model.status.deadlines.byUrgency.overdue;
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
      ${card('card-blocker', findings.bySeverity.blocker, 'open blockers', model.viewUrl({ severity: 'blocker' }))}
      ${card(
        'card-overdue',
        overdueTotal,
        overdueTotal === 1
          ? 'overdue retirement past its date'
          : 'overdue retirements past their date',
        '#deadlines-h',
      )}
      ${card(
        'card-warning',
        findings.bySeverity.warning - overdue.warning,
        overdue.warning > 0 ? 'other open warnings' : 'open warnings',
        model.viewUrl({ severity: 'warning' }),
      )}
      ${card('card-info', findings.bySeverity.info - overdue.info, 'open info findings', model.viewUrl({ severity: 'info' }))}
      ${card('', findings.open, 'open findings in all')}
      ${
        findings.exempted > 0
          ? card(
              '',
              findings.exempted,
              'exempted (accepted until a date), not counted above',
              model.viewUrl({ status: 'exempted' }),
            )
          : ''
      }
      ${card(
        '',
        changes.new,
        changes.previousScanId ? 'new since the previous scan' : 'new in this first scan',
        undefined,
        changes.reopened > 0
          ? html`<span class="sub">and ${plural(changes.reopened, 'reopened', 'reopened')}</span>`
          : '',
      )}
      ${card(
        '',
        changes.resolved,
        changes.previousScanId ? 'resolved since the previous scan' : 'resolved (first scan)',
        model.viewUrl({ status: 'resolved' }),
      )}
    </ul>
    ${compared}
  </section>`;
}
