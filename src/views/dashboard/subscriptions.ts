// The dashboard's subscriptions section. Open findings per subscription.
import type { DashboardModel, DashboardSubscription } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { byText, n, plural, when } from './common.js';

const OUTCOME_TEXT: Record<DashboardSubscription['outcome'], string> = {
  complete: 'complete',
  failed: 'failed',
  unreached: 'not reached',
};

export function subscriptionsSection(model: DashboardModel): Html {
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
