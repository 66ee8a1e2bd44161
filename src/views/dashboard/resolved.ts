// The dashboard's resolved section. What the last scan resolved.
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { badge, plural, ruleLink, when, type Lookups } from './common.js';

export function resolvedSection(model: DashboardModel, look: Lookups): Html {
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
