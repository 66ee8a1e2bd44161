// The dashboard's findings section. The findings table.
import { SEVERITIES } from '../../core/severity.js';
import { URGENCIES } from '../../core/urgency.js';
import type { DashboardFinding, DashboardModel } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import {
  badge,
  byText,
  n,
  plural,
  ruleLink,
  ruleTitle,
  SEVERITY_LABEL,
  STATE_LABEL,
  stateTag,
  subscriptionName,
  URGENCY_LABEL,
  type Lookups,
} from './common.js';

function option(value: string, text: string): Html {
  return html`<option value="${value}">${text}</option>`;
}

function counted<K extends string>(
  items: readonly DashboardFinding[],
  key: (f: DashboardFinding) => K,
): Map<K, number> {
  const counts = new Map<K, number>();
  for (const f of items) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return counts;
}

function filters(model: DashboardModel, look: Lookups): Html {
  const fs = model.findings;
  const sev = counted(fs, (f) => f.severity);
  const states = counted(fs, (f) => f.state);
  const urg = counted(fs, (f) => f.urgency ?? 'none');
  const rules = [...counted(fs, (f) => f.ruleId)].sort(
    ([a], [b]) =>
      byText(ruleTitle(a, look).toLowerCase(), ruleTitle(b, look).toLowerCase()) || byText(a, b),
  );
  const subs = [...counted(fs, (f) => f.subscriptionId)]
    .map(([id, count]) => {
      const name =
        fs.find((f) => f.subscriptionId === id)?.subscriptionName || subscriptionName(id, look);
      return { id, count, name };
    })
    .sort((a, b) => byText(a.name.toLowerCase(), b.name.toLowerCase()) || byText(a.id, b.id));
  const select = (id: string, label: string, options: Html[]) =>
    html`<div class="field">
      <label for="${id}">${label}</label>
      <select id="${id}" autocomplete="off">
        ${option('', 'All')} ${options}
      </select>
    </div>`;
  return html`<div class="filters" role="search" aria-label="Filter the findings">
    <div class="field field-search">
      <label for="f-search">Search</label>
      <input
        id="f-search"
        type="search"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="f-search-hint"
        placeholder="resource, owner, message…"
      />
      <span id="f-search-hint" class="sub">
        Matches resource names and ids, rules, subscriptions, resource groups, owners and messages.
      </span>
    </div>
    ${select(
      'f-severity',
      'Severity',
      SEVERITIES.filter((s) => sev.has(s)).map((s) =>
        option(s, `${SEVERITY_LABEL[s].one} (${n(sev.get(s) ?? 0)})`),
      ),
    )}
    ${select(
      'f-rule',
      'Rule',
      rules.map(([id, count]) => option(id, `${ruleTitle(id, look)} (${n(count)})`)),
    )}
    ${select(
      'f-subscription',
      'Subscription',
      subs.map((s) => option(s.id, `${s.name} (${n(s.count)})`)),
    )}
    ${select(
      'f-state',
      'State',
      (['new', 'reopened', 'open'] as const)
        .filter((s) => states.has(s))
        .map((s) => option(s, `${STATE_LABEL[s]} (${n(states.get(s) ?? 0)})`)),
    )}
    ${select('f-urgency', 'Deadline', [
      ...URGENCIES.filter((u) => urg.has(u)).map((u) =>
        option(u, `${URGENCY_LABEL[u]} (${n(urg.get(u) ?? 0)})`),
      ),
      ...(urg.has('none') ? [option('none', `No deadline (${n(urg.get('none') ?? 0)})`)] : []),
    ])}
    <div class="field">
      <button type="button" id="f-reset">Clear filters</button>
    </div>
  </div>`;
}

function searchText(f: DashboardFinding, look: Lookups): string {
  return [
    f.resourceName,
    f.resourceId,
    f.resourceType,
    f.ruleId,
    ruleTitle(f.ruleId, look),
    f.subscriptionName,
    f.subscriptionId,
    f.resourceGroup,
    f.owners,
    f.message,
    f.deadline ?? '',
  ]
    .join(' ')
    .toLowerCase();
}

/** `microsoft.classiccompute/virtualmachines` → `classiccompute/ virtualmachines` (a break after each slash). */
function shortType(type: string): Html {
  const parts = type.replace(/^microsoft\./i, '').split('/');
  return html`${parts.map((p, i) => (i === 0 ? html`${p}` : html`/<wbr />${p}`))}`;
}

/** One owner a line, each address breakable after its @. */
function owners(list: string): Html {
  const each = list
    .split(/[,;]\s*/)
    .map((o) => o.trim())
    .filter(Boolean);
  if (each.length === 0) return html`<span class="muted">none</span>`;
  return html`${each.map((o) => {
    const at = o.indexOf('@');
    return at > 0
      ? html`<span class="owner">${o.slice(0, at + 1)}<wbr />${o.slice(at + 1)}</span>`
      : html`<span class="owner">${o}</span>`;
  })}`;
}

function deadlineCell(f: DashboardFinding): Html {
  if (!f.deadline) return html`<td><span class="muted">—</span></td>`;
  return html`<td>
    <time datetime="${f.deadline}">${f.deadline}</time>${
      f.urgency ? html`<span class="sub">${URGENCY_LABEL[f.urgency]}</span>` : ''
    }
  </td>`;
}

function findingRow(f: DashboardFinding, look: Lookups): Html {
  return html`<tr
    data-severity="${f.severity}"
    data-state="${f.state}"
    data-rule="${f.ruleId}"
    data-subscription="${f.subscriptionId}"
    data-urgency="${f.urgency ?? 'none'}"
    data-text="${searchText(f, look)}"
  >
    <td>${badge(f.severity)}</td>
    <td>${stateTag(f.state)}<span class="sub">since ${f.firstSeen.slice(0, 10)}</span></td>
    <td>${ruleLink(f.ruleId, look)}</td>
    <th scope="row">
      <span title="${f.resourceId}">${f.resourceName}</span>
      <span class="sub" title="${f.resourceType}">${shortType(f.resourceType)}</span>
    </th>
    <td>${f.subscriptionName || f.subscriptionId}</td>
    <td>${f.resourceGroup}</td>
    <td class="owners">${owners(f.owners)}</td>
    ${deadlineCell(f)}
    <td class="message">${f.message}</td>
  </tr>`;
}

export function findingsSection(model: DashboardModel, look: Lookups): Html {
  const fs = model.findings;
  if (fs.length === 0) {
    return html`<section aria-labelledby="findings-h" id="findings">
      <h2 id="findings-h">Open findings</h2>
      <p class="empty">
        No open findings: nothing in the scanned resources blocks the migration or is due for
        retirement.
      </p>
    </section>`;
  }
  const capped = model.findingsTotal > fs.length;
  return html`<section aria-labelledby="findings-h" id="findings">
    <h2 id="findings-h">Open findings</h2>
    ${
      capped
        ? html`<p class="cap">
            The table lists the ${n(fs.length)} most serious of ${n(model.findingsTotal)} open
            findings (at most ${n(model.findingsLimit)}).
            <a href="${raw(safeHref(model.csvUrl))}">Download the open findings as CSV</a> (1,000 rows a page; the <code>x-ms-continuation</code> response header pages on).
          </p>`
        : ''
    }
    ${filters(model, look)}
    <p class="count" id="findings-count" aria-live="polite">
      Showing ${n(fs.length)} of ${plural(fs.length, 'finding', 'findings')}
    </p>
    <div class="table-wrap" role="region" aria-labelledby="findings-caption" tabindex="0">
      <table class="findings" id="findings-table">
        <caption id="findings-caption">
          Open findings, most serious
          first${capped ? ` (first ${n(fs.length)} of ${n(model.findingsTotal)})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="c-severity">Severity</th>
            <th scope="col" class="c-state">State</th>
            <th scope="col" class="c-rule">Rule</th>
            <th scope="col" class="c-resource">Resource</th>
            <th scope="col" class="c-subscription">Subscription</th>
            <th scope="col" class="c-group">Resource group</th>
            <th scope="col" class="c-owners">Owners</th>
            <th scope="col" class="c-deadline">Deadline</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${fs.map((f) => findingRow(f, look))}
        </tbody>
      </table>
      <p class="empty" id="findings-none" hidden>No finding matches the filters.</p>
    </div>
  </section>`;
}
