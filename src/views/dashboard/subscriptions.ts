// The dashboard's subscriptions section. Open findings per subscription.
import type { DashboardModel, DashboardSubscription } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import { byText, n, plural, when } from './common.js';

const OUTCOME_TEXT: Record<DashboardSubscription['outcome'], string> = {
  complete: 'complete',
  failed: 'failed',
  unreached: 'not reached',
};

/** Rows of the table: the subscriptions with the most blockers (and open findings); the rest are counted. */
export const MAX_SUBSCRIPTION_ROWS = 50;

export function subscriptionsSection(model: DashboardModel): Html {
  const sorted = [...model.subscriptions].sort(
    (a, b) =>
      Number(b.outcome !== 'complete') - Number(a.outcome !== 'complete') ||
      b.bySeverity.blocker - a.bySeverity.blocker ||
      b.open - a.open ||
      byText(a.displayName.toLowerCase(), b.displayName.toLowerCase()),
  );
  const subs = sorted.slice(0, MAX_SUBSCRIPTION_ROWS);
  const rest = sorted.slice(MAX_SUBSCRIPTION_ROWS);
  const restOpen = rest.reduce((sum, s) => sum + s.open, 0);
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
                (${plural(sorted.length, 'subscription', 'subscriptions')}${
                  rest.length > 0 ? `, the ${n(subs.length)} with the most blockers` : ''
                })
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
                        <a href="${raw(safeHref(model.viewUrl({ subscription: s.subscriptionId })))}"
                          >${s.displayName || s.subscriptionId}</a
                        ><code class="sub">${s.subscriptionId}</code>
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
          </div>
          ${
            rest.length > 0
              ? html`<p class="muted" id="subscriptions-more">
                  And ${plural(rest.length, 'more subscription', 'more subscriptions')} with
                  ${plural(restOpen, 'open finding', 'open findings')} in all (not listed: open a
                  subscription's view with <code>?subscription=</code>, or the status API).
                </p>`
              : ''
          }`
    }
  </section>`;
}
