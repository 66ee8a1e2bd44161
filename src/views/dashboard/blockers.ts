// The dashboard's blockers section. Blockers by subscription and by rule.
import { type Severity } from '../../core/severity.js';
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { byText, n, plural, ruleTitle, truncate, type Lookups } from './common.js';

/** Bars drawn per chart; the rest is summed up in a note under the chart. */
const MAX_BARS = 25;

interface Bar {
  readonly label: string;
  readonly detail: string;
  readonly value: number;
}

/** Chart label lines: at most two, of at most this many characters, wrapped at spaces. */
const LABEL_CHARS = 46;

/** Splits a label into at most two lines at spaces (the second ends in … when the label is longer). */
function labelLines(label: string): string[] {
  if (Array.from(label).length <= LABEL_CHARS) return [label];
  const words = label.split(/\s+/);
  let first = '';
  while (words.length > 0) {
    const next = first ? `${first} ${words[0]}` : (words[0] as string);
    if (Array.from(next).length > LABEL_CHARS) break;
    first = next;
    words.shift();
  }
  if (!first) return [truncate(label, LABEL_CHARS)];
  return [first, truncate(words.join(' '), LABEL_CHARS)];
}

/** A horizontal bar chart in inline SVG: each row a label, a bar scaled to the largest value and the value as text. */
function barChart(id: string, title: string, bars: readonly Bar[], unit: [string, string]): Html {
  const shown = bars.slice(0, MAX_BARS);
  const rest = bars.slice(MAX_BARS);
  const max = Math.max(1, ...shown.map((b) => b.value));
  const desc = shown.map((b) => `${b.label}: ${plural(b.value, ...unit)}`).join('; ');
  const restTotal = rest.reduce((sum, b) => sum + b.value, 0);
  // Each row: its label lines (16 px each), then the bar (16 px) and a gap.
  let y = 0;
  const rows = shown.map((b) => {
    const lines = labelLines(b.label);
    const row = { bar: b, lines, top: y };
    y += lines.length * 16 + 30;
    return row;
  });
  return html`<div class="chart">
    <h3 id="${id}-h">${title}</h3>
    <svg
      class="bars"
      id="${id}"
      role="img"
      aria-labelledby="${id}-title ${id}-desc"
      width="100%"
      height="${y}"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="${id}-title">${title}</title>
      <desc id="${id}-desc">${desc}</desc>
      ${rows.map(({ bar: b, lines, top }) => {
        const pct = Math.max(0.5, (b.value / max) * 82).toFixed(2);
        const barTop = top + lines.length * 16 + 6;
        return html`<g class="bar" data-value="${b.value}">
          <title>${b.detail}: ${plural(b.value, ...unit)}</title>
          <text class="bar-label" x="0" y="${top + 14}">
            ${lines.map((line, i) => html`<tspan x="0" dy="${i === 0 ? 0 : 16}">${line}</tspan>`)}
          </text>
          <rect x="0" y="${barTop}" width="${pct}%" height="16" rx="2"></rect>
          <text class="bar-value" x="${pct}%" dx="6" y="${barTop + 13}">${n(b.value)}</text>
        </g>`;
      })}
    </svg>
    ${
      rest.length > 0
        ? html`<p class="muted">
            And ${plural(rest.length, 'more', 'more')} with ${plural(restTotal, ...unit)} in all
            (not drawn).
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
  const bySubscription: Bar[] = model.subscriptions
    .filter((s) => s.bySeverity.blocker > 0)
    .map((s) => ({
      label: s.displayName || s.subscriptionId,
      detail: `${s.displayName || s.subscriptionId} (${s.subscriptionId})`,
      value: s.bySeverity.blocker,
    }))
    .sort((a, b) => b.value - a.value || byText(a.label, b.label));
  const severity = severityOfRule(model, look);
  const byRule: Bar[] = Object.entries(model.status.findings.byRule)
    .filter(([ruleId, count]) => count > 0 && severity(ruleId) === 'blocker')
    .map(([ruleId, count]) => ({
      label: ruleTitle(ruleId, look),
      detail: `${ruleTitle(ruleId, look)} (${ruleId})`,
      value: count,
    }))
    .sort((a, b) => b.value - a.value || byText(a.label, b.label));
  const body =
    bySubscription.length === 0 && byRule.length === 0
      ? html`<p class="empty">No open blockers: nothing found stops the migration.</p>`
      : html`<div class="charts">
          ${
            bySubscription.length > 0
              ? barChart('chart-subscriptions', 'Blockers by subscription', bySubscription, [
                  'blocker',
                  'blockers',
                ])
              : html`<p class="empty">No subscription has open blockers.</p>`
          }
          ${
            byRule.length > 0
              ? barChart('chart-rules', 'Blockers by rule', byRule, ['resource', 'resources'])
              : ''
          }
        </div>`;
  return html`<section aria-labelledby="blockers-h">
    <h2 id="blockers-h">Blockers</h2>
    <p>Blockers stop the migration: the platform's validation fails until they are fixed.</p>
    ${body}
  </section>`;
}
