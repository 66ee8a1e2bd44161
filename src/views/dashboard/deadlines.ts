// The dashboard's "Retirement deadlines" section: every retirement with open findings, on a timeline of urgency
// stages, with its service and Microsoft's link, filterable by service (the page's script toggles `hidden`).
import { URGENCIES } from '../../core/urgency.js';
import type { DashboardModel } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import {
  byText,
  n,
  plural,
  ruleLink,
  ruleTitle,
  URGENCY_LABEL,
  when,
  type Lookups,
} from './common.js';

const DAY_MS = 86_400_000;

/** What is coming (the next retirements by date) and what is past, in two lines above the timeline. */
function comingNext(model: DashboardModel, look: Lookups): Html {
  const { rules } = model.status.deadlines;
  if (rules.length === 0) return html``;
  const now = Date.parse(model.status.generatedAt);
  const title = (r: (typeof rules)[number]) => r.title ?? ruleTitle(r.ruleId, look);
  const coming = rules
    .filter((r) => r.urgency !== 'overdue')
    .sort((a, b) => byText(a.deadline, b.deadline) || byText(a.ruleId, b.ruleId))
    .slice(0, 5);
  const past = rules
    .filter((r) => r.urgency === 'overdue')
    .sort((a, b) => byText(a.deadline, b.deadline));
  const days = (deadline: string) =>
    Math.max(0, Math.ceil((Date.parse(`${deadline}T00:00:00Z`) - now) / DAY_MS));
  return html`<div class="next" id="deadlines-next">
    ${
      coming.length === 0
        ? html`<p>Nothing is coming: every retirement with open findings is past its date.</p>`
        : html`<p><strong>Coming next:</strong></p>
            <ul>
              ${coming.map(
                (r) =>
                  html`<li>
                    ${title(r)}: <time datetime="${r.deadline}">${r.deadline}</time>, in
                    ${plural(days(r.deadline), 'day', 'days')}
                    (${plural(r.count, 'finding', 'findings')})
                  </li>`,
              )}
            </ul>`
    }
    ${
      past.length > 0
        ? html`<p>
            <strong>Past their date:</strong> ${plural(past.length, 'retirement', 'retirements')}, the
            oldest overdue since
            <time datetime="${(past[0] as (typeof past)[number]).deadline}"
              >${(past[0] as (typeof past)[number]).deadline}</time
            >.
          </p>`
        : ''
    }
  </div>`;
}

export function deadlines(model: DashboardModel, look: Lookups): Html {
  const { byUrgency, rules } = model.status.deadlines;
  const any = rules.length > 0;
  const serviceOf = (r: (typeof rules)[number]) => r.service ?? 'Azure';
  const services = new Map<string, number>();
  for (const r of rules) services.set(serviceOf(r), (services.get(serviceOf(r)) ?? 0) + r.count);
  const filter =
    services.size > 1
      ? html`<div class="filters">
          <div class="field">
            <label for="t-service">Service</label>
            <select id="t-service">
              <option value="">All services (${n(rules.length)} retirements)</option>
              ${[...services]
                .sort(([a], [b]) => byText(a, b))
                .map(
                  ([s, count]) =>
                    html`<option value="${s}">${s} (${plural(count, 'finding', 'findings')})</option>`,
                )}
            </select>
          </div>
        </div>`
      : '';
  return html`<section aria-labelledby="deadlines-h">
    <h2 id="deadlines-h">Retirement deadlines</h2>
    <p>
      Open findings of retirement rules by how soon the service retires (counted from
      ${when(model.status.generatedAt)}).
    </p>
    ${any ? '' : html`<p class="empty">No open finding is affected by a retirement.</p>`}
    ${comingNext(model, look)} ${filter}
    <ol class="timeline">
      ${URGENCIES.map((u) => {
        const inStage = rules
          .filter((r) => r.urgency === u)
          .sort((a, b) => byText(a.deadline, b.deadline) || byText(a.ruleId, b.ruleId));
        return html`<li class="stage stage-${u}" data-urgency="${u}">
          <h3>${URGENCY_LABEL[u]}</h3>
          <p class="stage-count">
            ${n(byUrgency[u])}<span class="visually-hidden">
              ${byUrgency[u] === 1 ? 'finding' : 'findings'}</span
            >
          </p>
          ${
            inStage.length > 0
              ? html`<ul>
                  ${inStage.map(
                    (r) =>
                      html`<li data-service="${serviceOf(r)}">
                        ${look.rules.has(r.ruleId) ? ruleLink(r.ruleId, look, false) : html`${r.title ?? r.ruleId}`}
                        ${r.service ? html`<span class="sub">${r.service}</span>` : ''}
                        <span class="sub"
                          >${plural(r.count, 'finding', 'findings')} ·
                          ${u === 'overdue' ? 'overdue since' : 'retires'}
                          <time datetime="${r.deadline}">${r.deadline}</time></span
                        >${
                          r.service
                            ? html` <a class="sub" href="${raw(safeHref(model.viewUrl({ service: r.service })))}"
                                >Its findings</a
                              >`
                            : ''
                        }${
                          r.link && safeHref(r.link) !== '#'
                            ? html` <a class="sub" href="${raw(safeHref(r.link))}" rel="noreferrer"
                                >Microsoft's announcement</a
                              >`
                            : ''
                        }
                      </li>`,
                  )}
                </ul>`
              : html`<p class="muted">Nothing</p>`
          }
        </li>`;
      })}
    </ol>
  </section>`;
}
