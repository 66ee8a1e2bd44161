// The dashboard's exemptions section. Exemptions in force and the audit trail of changes.
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { n, plural, when } from './common.js';

export function exemptionsSection(model: DashboardModel): Html {
  const exemptions = model.exemptions ?? [];
  const audit = model.audit ?? [];
  return html`<section aria-labelledby="exemptions-h">
    <h2 id="exemptions-h">Exemptions</h2>
    <p>
      Findings a team accepted until a date: still scanned and listed, counted apart, left out of the
      digests. A stale exemption matched no finding at the last scan.
      ${
        model.platformContact
          ? html`Owners ask for one with the link on each finding (an e-mail to
              <a href="mailto:${model.platformContact}">${model.platformContact}</a>).`
          : ''
      }
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
