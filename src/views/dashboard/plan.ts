// The dashboard's migration-plan section: the units the platform migrates together (Microsoft's four scopes), how
// many are ready, and the ones to look at first — blocked units with the rules that block them (each opening its
// findings), then the ready ones. The full plan with its commands: `readiness plan` (src/views/plan-text.ts).
import { SCOPE_TITLES } from '../../core/migration-plan.js';
import type { DashboardModel } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import { n, plural, ruleTitle, type Lookups } from './common.js';

const STATE_TEXT = { ready: 'Ready', blocked: 'Blocked', waits: 'Waits' } as const;

export function planSection(model: DashboardModel, look: Lookups): Html {
  const plan = model.plan;
  if (!plan) return html``;
  const other = plan.units - plan.ready;
  return html`<section aria-labelledby="plan-h">
    <h2 id="plan-h">Migration plan</h2>
    <p>
      ${plural(plan.units, 'unit', 'units')} (${n(plan.ready)} ready, ${n(other)} blocked or waiting):
      what the platform migrates together — a virtual network with its cloud services and VMs, a cloud
      service whose VMs are in no virtual network, a storage account after its VMs, an unattached
      resource. ${
        plan.undecided > 0
          ? html`${plural(plan.undecided, 'classic resource is', 'classic resources are')} not placed
              (their rows carry no properties).`
          : ''
      }
      The steps (Validate, Prepare, Commit) for each unit: <code>readiness plan</code>.
    </p>
    ${
      plan.list.length === 0
        ? html`<p class="empty">No classic resource to migrate.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="plan-caption" tabindex="0">
            <table class="subs" id="plan-table">
              <caption id="plan-caption">
                ${
                  plan.list.length < plan.units
                    ? `The ${n(plan.list.length)} units to look at first`
                    : 'Every unit'
                }, blocked ones first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Unit</th>
                  <th scope="col">State</th>
                  <th scope="col">What moves</th>
                  <th scope="col">Subscription</th>
                  <th scope="col">Blocked by</th>
                </tr>
              </thead>
              <tbody>
                ${plan.list.map(
                  (u) => html`<tr data-state="${u.state}">
                    <th scope="row">${u.name}<span class="sub">${SCOPE_TITLES[u.scope]}</span></th>
                    <td>${STATE_TEXT[u.state]}</td>
                    <td>${u.contents}</td>
                    <td>${u.subscriptionName}</td>
                    <td>
                      ${
                        u.blockerRules.length === 0
                          ? html`<span class="muted">${u.state === 'waits' ? 'waits for another unit' : '—'}</span>`
                          : html`${plural(u.blockers, 'blocker', 'blockers')}:
                            ${u.blockerRules.map(
                              (id, i) =>
                                html`${i > 0 ? ', ' : ''}<a
                                    href="${raw(safeHref(model.viewUrl({ rule: id, subscription: u.subscriptionId })))}"
                                    >${ruleTitle(id, look)}</a
                                  >`,
                            )}`
                      }
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}
