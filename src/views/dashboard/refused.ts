// The dashboard's refused section. Owner addresses that were not mailed, with the tag to fix.
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { n, plural } from './common.js';

export function refusedSection(model: DashboardModel): Html {
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
