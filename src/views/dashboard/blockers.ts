// The dashboard's blockers section: blockers by subscription and by rule as ranked lists — sorted, each entry opening
// its filtered view, and entries with the same count grouped, so a tenant where every count is 1 reads as one line
// ("1 each: 30 subscriptions: …") instead of thirty full-width bars of 1.
import type { Severity } from '../../core/severity.js';
import type { DashboardModel } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';
import { byText, n, plural, ruleTitle, type Lookups } from './common.js';

/** Rows (counts) ranked before the rest is summed up. */
const MAX_ROWS = 10;
/** Names listed in one group of equal counts before "and N more". */
const MAX_NAMES = 12;

export interface RankedEntry {
  readonly label: string;
  readonly title: string;
  readonly href: string;
  readonly value: number;
}

function entryLink(e: RankedEntry): Html {
  return html`<a href="${raw(safeHref(e.href))}" title="${e.title}">${e.label}</a>`;
}

/** A ranked list: sorted by count, equal counts grouped, each entry a link (a view, or an anchor in a report). */
export function rankedList(
  id: string,
  heading: string,
  entries: readonly RankedEntry[],
  noun: [string, string],
  unit: [string, string],
): Html {
  // Sorted by count, then by name; consecutive equal counts form one group.
  const sorted = [...entries].sort((a, b) => b.value - a.value || byText(a.label, b.label));
  const groups: RankedEntry[][] = [];
  for (const e of sorted) {
    const last = groups.at(-1);
    if (last && last[0]?.value === e.value) last.push(e);
    else groups.push([e]);
  }
  const shown = groups.slice(0, MAX_ROWS);
  const rest = groups.slice(MAX_ROWS).flat();
  const restTotal = rest.reduce((sum, e) => sum + e.value, 0);
  return html`<div class="chart">
    <h3 id="${id}-h">${heading}</h3>
    <ol class="ranked" id="${id}" aria-labelledby="${id}-h">
      ${shown.map((group) => {
        const value = (group[0] as RankedEntry).value;
        if (group.length === 1) {
          const e = group[0] as RankedEntry;
          return html`<li data-count="${value}">
            <span class="rank-count">${n(value)}</span>
            <span class="rank-name">${entryLink(e)}</span>
          </li>`;
        }
        const names = group.slice(0, MAX_NAMES);
        const more = group.length - names.length;
        return html`<li data-count="${value}" class="rank-group">
          <span class="rank-count">${n(value)} each</span>
          <span class="rank-name"
            >${plural(group.length, ...noun)}:
            ${names.map((e, i) => html`${i > 0 ? ', ' : ''}${entryLink(e)}`)}${
              more > 0 ? html` and ${n(more)} more` : ''
            }</span
          >
        </li>`;
      })}
    </ol>
    ${
      rest.length > 0
        ? html`<p class="muted">
            And ${plural(rest.length, ...noun)} with fewer, ${plural(restTotal, ...unit)} in all.
          </p>`
        : ''
    }
  </div>`;
}

function severityOfRule(
  model: DashboardModel,
  look: Lookups,
): (ruleId: string) => Severity | undefined {
  const fromFindings = new Map<string, Severity>();
  for (const f of model.findings)
    if (!fromFindings.has(f.ruleId)) fromFindings.set(f.ruleId, f.severity);
  return (ruleId) => look.rules.get(ruleId)?.severity ?? fromFindings.get(ruleId);
}

export function blockerCharts(model: DashboardModel, look: Lookups): Html {
  const bySubscription: RankedEntry[] = model.subscriptions
    .filter((s) => s.bySeverity.blocker > 0)
    .map((s) => ({
      label: s.displayName || s.subscriptionId,
      title: s.subscriptionId,
      href: model.viewUrl({ subscription: s.subscriptionId, severity: 'blocker' }),
      value: s.bySeverity.blocker,
    }));
  const severity = severityOfRule(model, look);
  const byRule: RankedEntry[] = Object.entries(model.status.findings.byRule)
    .filter(([ruleId, count]) => count > 0 && severity(ruleId) === 'blocker')
    .map(([ruleId, count]) => ({
      label: ruleTitle(ruleId, look),
      title: ruleId,
      href: model.viewUrl({ rule: ruleId }),
      value: count,
    }));
  const body =
    bySubscription.length === 0 && byRule.length === 0
      ? html`<p class="empty">No open blockers: nothing found stops the migration.</p>`
      : html`<div class="charts">
          ${
            bySubscription.length > 0
              ? rankedList(
                  'rank-subscriptions',
                  'Blockers by subscription',
                  bySubscription,
                  ['subscription', 'subscriptions'],
                  ['blocker', 'blockers'],
                )
              : html`<p class="empty">No subscription has open blockers.</p>`
          }
          ${
            byRule.length > 0
              ? rankedList(
                  'rank-rules',
                  'Blockers by rule',
                  byRule,
                  ['rule', 'rules'],
                  ['resource', 'resources'],
                )
              : ''
          }
        </div>`;
  return html`<section aria-labelledby="blockers-h">
    <h2 id="blockers-h">Blockers</h2>
    <p>
      Blockers stop the migration: the platform's validation fails until they are fixed. Most first;
      each opens its findings.
    </p>
    ${body}
  </section>`;
}
