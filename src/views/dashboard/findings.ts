// The dashboard's findings section: one page of the view's findings (filtered as the URL says, paged on the server
// with a signed continuation), the active filters with a way to clear them, and links that open narrower views.
import { SEVERITIES } from '../../core/severity.js';
import type { DashboardFilters, DashboardFinding, DashboardModel } from '../dashboard-model.js';
import { FILTER_NAMES } from '../dashboard-model.js';
import { exemptionRequestHref } from '../exemption-request.js';
import { html, raw, safeHref, type Html } from '../html.js';
import {
  badge,
  deadlineWords,
  n,
  plural,
  ruleLink,
  ruleTitle,
  SEVERITY_LABEL,
  stateTag,
  subscriptionName,
  URGENCY_LABEL,
  type Lookups,
} from './common.js';

const STATUS_WORDS = { open: 'Open', exempted: 'Exempted', resolved: 'Resolved' } as const;

function link(model: DashboardModel, filters: DashboardFilters, text: Html | string): Html {
  return html`<a href="${raw(safeHref(model.viewUrl(filters)))}">${text}</a>`;
}

/** The filter's value in words (a subscription by its name, a rule by its title). */
function filterText(name: (typeof FILTER_NAMES)[number], value: string, look: Lookups): string {
  switch (name) {
    case 'subscription':
      return subscriptionName(value, look);
    case 'rule':
      return ruleTitle(value, look);
    case 'severity':
      return SEVERITY_LABEL[value as keyof typeof SEVERITY_LABEL]?.many ?? value;
    case 'status':
      return STATUS_WORDS[value as keyof typeof STATUS_WORDS] ?? value;
    default:
      return value;
  }
}

const FILTER_LABEL: Record<(typeof FILTER_NAMES)[number], string> = {
  owner: 'Owner',
  subscription: 'Subscription',
  severity: 'Severity',
  rule: 'Rule',
  status: 'Status',
  service: 'Service',
};

function without(filters: DashboardFilters, name: (typeof FILTER_NAMES)[number]): DashboardFilters {
  const { [name]: _dropped, ...rest } = filters;
  return rest;
}

/** What the view is filtered by, each filter with a link that removes it, and one that clears them all. */
export function activeFilters(model: DashboardModel, look: Lookups): Html {
  const active = FILTER_NAMES.filter((name) => model.filters[name] !== undefined);
  if (active.length === 0)
    return html`<p class="active-filters" id="active-filters">
      All open findings of the tenant. Open an owner's view from the <em>Owners</em> column, a
      subscription's or a rule's from their names.
    </p>`;
  return html`<div class="active-filters" id="active-filters" role="status">
    <span>Filtered by</span>
    <ul class="chips">
      ${active.map((name) => {
        const value = String(model.filters[name]);
        return html`<li class="chip" data-filter="${name}">
          <span>${FILTER_LABEL[name]}: <strong>${filterText(name, value, look)}</strong></span>
          <a
            href="${raw(safeHref(model.viewUrl(without(model.filters, name))))}"
            aria-label="Remove the ${FILTER_LABEL[name].toLowerCase()} filter"
            >remove</a
          >
        </li>`;
      })}
    </ul>
    <a id="clear-filters" href="${raw(safeHref(model.viewUrl({})))}">Clear all filters</a>
  </div>`;
}

/** At the top of a filtered view: what it shows, where its findings are, and the way back to the whole tenant. */
export function viewBanner(model: DashboardModel, look: Lookups): Html {
  const active = FILTER_NAMES.filter((name) => model.filters[name] !== undefined);
  if (active.length === 0) return html``;
  return html`<p class="view-banner" role="note">
    This view:
    ${active.map(
      (name, i) =>
        html`${i > 0 ? ' · ' : ''}${FILTER_LABEL[name]}
          <strong>${filterText(name, String(model.filters[name]), look)}</strong>`,
    )}
    — <a href="#findings-h">its findings</a>. The figures above them are the whole tenant's.
    <a href="${raw(safeHref(model.viewUrl({})))}">The whole tenant</a>
  </p>`;
}

/** Links that narrow (or widen) the view by severity and by status, keeping the other filters. */
function quickFilters(model: DashboardModel): Html {
  const f = model.filters;
  const item = (current: boolean, filters: DashboardFilters, text: string) =>
    current
      ? html`<li><strong aria-current="page">${text}</strong></li>`
      : html`<li>${link(model, filters, text)}</li>`;
  return html`<div class="quick">
    <ul aria-label="Severity">
      ${item(!f.severity, without(f, 'severity'), 'All severities')}
      ${SEVERITIES.map((s) => item(f.severity === s, { ...f, severity: s }, SEVERITY_LABEL[s].many))}
    </ul>
    <ul aria-label="Status">
      ${(['open', 'exempted', 'resolved'] as const).map((s) =>
        item(
          (f.status ?? 'open') === s,
          s === 'open' ? without(f, 'status') : { ...f, status: s },
          STATUS_WORDS[s],
        ),
      )}
    </ul>
  </div>`;
}

/** `microsoft.classiccompute/virtualmachines` → `classiccompute/ virtualmachines` (a break after each slash). */
function shortType(type: string): Html {
  const parts = type.replace(/^microsoft\./i, '').split('/');
  return html`${parts.map((p, i) => (i === 0 ? html`${p}` : html`/<wbr />${p}`))}`;
}

/** One owner a line, each linking to the owner's view (addresses only) and breakable after its @; then why. */
function owners(model: DashboardModel, f: DashboardFinding): Html {
  const each = f.owners
    .split(/[,;]\s*/)
    .map((o) => o.trim())
    .filter(Boolean);
  const why = f.ownerReason ? html`<span class="sub why">why: ${f.ownerReason}</span>` : '';
  if (each.length === 0) return html`<span class="muted">none</span>${why}`;
  return html`${each.map((o) => {
    const at = o.indexOf('@');
    if (at <= 0) return html`<span class="owner">${o}</span>`;
    const text = html`${o.slice(0, at + 1)}<wbr />${o.slice(at + 1)}`;
    return html`<span class="owner">${
      model.filters.owner?.toLowerCase() === o.toLowerCase()
        ? text
        : link(model, { ...model.filters, owner: o }, text)
    }</span>`;
  })}${why}`;
}

function deadlineCell(f: DashboardFinding): Html {
  if (!f.deadline) return html`<td><span class="muted">—</span></td>`;
  return html`<td>
    ${deadlineWords(f.deadline, f.urgency)}${
      f.urgency && f.urgency !== 'overdue'
        ? html`<span class="sub">${URGENCY_LABEL[f.urgency]}</span>`
        : ''
    }
  </td>`;
}

function exemptionCell(model: DashboardModel, f: DashboardFinding): Html {
  if (f.exemptedUntil) return html`<span class="sub">exempted until ${f.exemptedUntil}</span>`;
  if (!model.platformContact || f.state === 'resolved') return html``;
  const requester = model.filters.owner ?? f.owners.split(/[,;]\s*/)[0];
  const href = exemptionRequestHref(model.platformContact, {
    resourceId: f.resourceId,
    resourceName: f.resourceName,
    ruleId: f.ruleId,
    requester: requester || undefined,
  });
  return html`<a class="sub ask" href="${href}">Ask the platform team for an exemption</a>`;
}

function findingRow(model: DashboardModel, f: DashboardFinding, look: Lookups): Html {
  return html`<tr data-severity="${f.severity}" data-state="${f.state}" data-rule="${f.ruleId}">
    <td>${badge(f.severity)}</td>
    <td>${stateTag(f.state)}<span class="sub">since ${f.firstSeen.slice(0, 10)}</span></td>
    <td>${ruleLink(f.ruleId, look)}</td>
    <th scope="row">
      <span title="${f.resourceId}">${f.resourceName}</span>
      <span class="sub" title="${f.resourceType}">${shortType(f.resourceType)}</span>
    </th>
    <td>
      ${
        model.filters.subscription
          ? f.subscriptionName || f.subscriptionId
          : link(
              model,
              { ...model.filters, subscription: f.subscriptionId },
              f.subscriptionName || f.subscriptionId,
            )
      }
    </td>
    <td>${f.resourceGroup}</td>
    <td class="owners">${owners(model, f)}</td>
    ${deadlineCell(f)}
    <td class="message">${f.message}${exemptionCell(model, f)}</td>
  </tr>`;
}

function pager(model: DashboardModel): Html {
  const { nextUrl, firstUrl } = model.page;
  if (!nextUrl && !firstUrl) return html``;
  return html`<nav class="pager" aria-label="Pages of findings">
    ${firstUrl ? html`<a href="${raw(safeHref(firstUrl))}">First page</a>` : ''}
    ${
      nextUrl
        ? html`<a href="${raw(safeHref(nextUrl))}" rel="next" id="next-page">Next page</a>`
        : html`<span class="muted">Last page</span>`
    }
  </nav>`;
}

export function findingsSection(model: DashboardModel, look: Lookups): Html {
  const fs = model.findings;
  const status = model.filters.status ?? 'open';
  const title = `${STATUS_WORDS[status]} findings`;
  const total = model.findingsTotal;
  const head = html`<h2 id="findings-h">${title}</h2>
    ${activeFilters(model, look)} ${quickFilters(model)}`;
  if (fs.length === 0) {
    const filtered = FILTER_NAMES.some((name) => model.filters[name] !== undefined);
    return html`<section aria-labelledby="findings-h" id="findings">
      ${head}
      <p class="empty" id="findings-none">
        ${
          filtered
            ? html`No finding matches these filters${model.page.firstUrl ? ' on this page' : ''}.`
            : 'No open findings: nothing in the scanned resources blocks the migration or is due for retirement.'
        }
      </p>
      ${pager(model)}
    </section>`;
  }
  return html`<section aria-labelledby="findings-h" id="findings">
    ${head}
    <p class="count" id="findings-count">
      ${plural(fs.length, 'finding', 'findings')} on this
      page${total !== undefined ? html` of ${n(total)} in this view` : ''}, most serious first
      (${n(model.page.size)} a page).
      <a href="${raw(safeHref(model.csvUrl))}">Download as CSV</a>
    </p>
    <div class="table-wrap" role="region" aria-labelledby="findings-caption" tabindex="0">
      <table class="findings" id="findings-table">
        <caption id="findings-caption">
          ${title}, most serious first
        </caption>
        <thead>
          <tr>
            <th scope="col" class="c-severity">Severity</th>
            <th scope="col" class="c-state">State</th>
            <th scope="col" class="c-rule">Rule</th>
            <th scope="col" class="c-resource">Resource</th>
            <th scope="col" class="c-subscription">Subscription</th>
            <th scope="col" class="c-group">Resource group</th>
            <th scope="col" class="c-owners">Owners, and why</th>
            <th scope="col" class="c-deadline">Deadline</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${fs.map((f) => findingRow(model, f, look))}
        </tbody>
      </table>
    </div>
    ${pager(model)}
  </section>`;
}
