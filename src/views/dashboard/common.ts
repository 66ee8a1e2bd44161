// Shared by the dashboard's sections (src/views/dashboard.ts and src/views/dashboard/*.ts): labels, number and
// date formatting, and the rule and subscription lookups. Every tenant string goes through `html` (escaped).
import type { Severity } from '../../core/severity.js';
import type { Urgency } from '../../core/urgency.js';
import type { FindingState } from '../../core/lifecycle.js';
import type { DashboardRule, DashboardSubscription } from '../dashboard-model.js';
import { html, raw, safeHref, type Html } from '../html.js';

export const SEVERITY_LABEL: Record<Severity, { one: string; many: string }> = {
  blocker: { one: 'Blocker', many: 'Blockers' },
  warning: { one: 'Warning', many: 'Warnings' },
  info: { one: 'Info', many: 'Info' },
};

export const STATE_LABEL: Record<FindingState, string> = {
  new: 'New',
  open: 'Open',
  reopened: 'Reopened',
  resolved: 'Resolved',
};

export const URGENCY_LABEL: Record<Urgency, string> = {
  overdue: 'Overdue',
  'due-7': 'Due within 7 days',
  'due-30': 'Due within 30 days',
  'due-90': 'Due within 90 days',
  'due-180': 'Due within 180 days',
  later: 'Later',
};

const NUMBER = new Intl.NumberFormat('en-US');

export function n(value: number): string {
  return NUMBER.format(value);
}

export function plural(count: number, one: string, many: string): string {
  return `${n(count)} ${count === 1 ? one : many}`;
}

export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM UTC` in a <time> element. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`—`;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return html`<time datetime="${iso}">${match ? `${match[1]} ${match[2]} UTC` : iso}</time>`;
}

export function duration(startedAt: string, endedAt: string | undefined): string {
  if (!endedAt) return '';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A duration in seconds, roughly: `45 min`, `7 h`, `3 days`. */
export function age(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return plural(minutes, 'min', 'min');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'h', 'h');
  return plural(Math.round(hours / 24), 'day', 'days');
}

export function badge(severity: Severity): Html {
  return html`<span class="badge badge-${severity}">${SEVERITY_LABEL[severity].one}</span>`;
}

export function stateTag(state: FindingState): Html {
  return html`<span class="state state-${state}">${STATE_LABEL[state]}</span>`;
}

export interface Lookups {
  readonly rules: ReadonlyMap<string, DashboardRule>;
  readonly subscriptions: ReadonlyMap<string, DashboardSubscription>;
}

export function ruleTitle(ruleId: string, look: Lookups): string {
  return look.rules.get(ruleId)?.title ?? ruleId;
}

/** The rule's title linking to its doc (only http(s) and relative links survive), with the id in small text. */
export function ruleLink(ruleId: string, look: Lookups, withId = true): Html {
  const rule = look.rules.get(ruleId);
  const title = rule?.title ?? ruleId;
  const link = rule
    ? html`<a href="${raw(safeHref(rule.docUrl))}" rel="noreferrer" title="${ruleId}">${title}</a>`
    : html`${title}`;
  return withId ? html`${link}<code class="sub">${ruleId}</code>` : link;
}

export function subscriptionName(subscriptionId: string, look: Lookups): string {
  return look.subscriptions.get(subscriptionId)?.displayName || subscriptionId;
}

/** A deadline as people read it: long past is "overdue since 2023-09-06", not "before 2023-09-06". */
export function deadlineWords(deadline: string, urgency: Urgency | undefined): Html {
  const date = html`<time datetime="${deadline}">${deadline}</time>`;
  return urgency === 'overdue' ? html`overdue since ${date}` : html`due ${date}`;
}
