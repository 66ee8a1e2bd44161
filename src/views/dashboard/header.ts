// The dashboard's header section. The page header: the last scan, its status, and what went wrong with it.
import { formatProgress } from '../../core/progress.js';
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { age, duration, n, plural, subscriptionName, when, type Lookups } from './common.js';

const STATUS_TEXT = {
  succeeded: 'succeeded',
  partial: 'partial',
  failed: 'failed',
  running: 'running',
} as const;

export function header(model: DashboardModel, look: Lookups): Html {
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
