// The digest e-mail: subject, HTML part and plain-text part, rendered from a Digest (src/core/digest.ts).
// The HTML is made for mail clients: one table-based layout, inline styles only, no scripts, no images,
// nothing loaded from anywhere. Every tenant-controlled string (names, groups, subscription names,
// messages, reasons) goes through `html` (escaped) and links through `safeHref`. The subject holds
// nothing but counts and fixed words, so no tenant string can reach a mail header.
import { summarize, type Digest, type DigestItem, type DigestSummary } from '../core/digest.js';
import { daysUntil, type Urgency } from '../core/urgency.js';
import type { RuleMeta } from '../rules/define-rule.js';
import { html, raw, safeHref, type Html } from './html.js';
import { serviceOfType } from '../rules/retirement/data-retirements.js';
import { exemptionRequestHref } from './exemption-request.js';

export interface DigestEmailOptions {
  /** The catalog, for each rule's title and recommendation (a rule missing from it shows its id). */
  readonly rules: readonly RuleMeta[];
  /** The dashboard, linked from the footer and from every capped rule group. */
  readonly dashboardUrl?: string | undefined;
  /** Where a rule's doc lives; a non-http(s) value (a file path) is shown as text, not linked. */
  readonly ruleDocUrl: (ruleId: string) => string;
  /** The digest's clock: the "as of" date and the days to each deadline. */
  readonly now: Date;
  /** Resources listed per rule group before "and N more" (default 25). */
  readonly maxItemsPerGroup?: number | undefined;
  /** PLATFORM_CONTACT: each open finding links to a pre-filled exemption request to this address. */
  readonly platformContact?: string | undefined;
}

/** The dashboard filtered to one owner (and a rule): the view a digest's links open. */
export function ownerViewUrl(dashboardUrl: string, owner: string, ruleId?: string): string {
  const q = `owner=${encodeURIComponent(owner)}${ruleId ? `&rule=${encodeURIComponent(ruleId)}` : ''}`;
  return `${dashboardUrl}${dashboardUrl.includes('?') ? '&' : '?'}${q}`;
}

export interface DigestEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export const SUBJECT_PREFIX = '[Azure readiness]';
/** Subjects stay under this many characters; what does not fit is summed up as "and more". */
export const MAX_SUBJECT_LENGTH = 120;
const DEFAULT_MAX_ITEMS = 25;
const TEXT_WIDTH = 76;

// --- wording ----------------------------------------------------------------

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Deadline stages, most urgent first, as the subject and the text say them. */
const STAGES: readonly { urgency: Urgency; phrase: string }[] = [
  { urgency: 'overdue', phrase: 'overdue' },
  { urgency: 'due-7', phrase: 'in 7 days' },
  { urgency: 'due-30', phrase: 'in 30 days' },
  { urgency: 'due-90', phrase: 'in 90 days' },
  { urgency: 'due-180', phrase: 'in 180 days' },
  { urgency: 'later', phrase: 'later' },
];

const STAGE_LABEL: Record<Urgency, string> = {
  overdue: 'overdue',
  'due-7': 'due within 7 days',
  'due-30': 'due within 30 days',
  'due-90': 'due within 90 days',
  'due-180': 'due within 180 days',
  later: 'due later',
};

/**
 * The parts of a subject, most serious first: blockers, warnings, deadlines by stage, fixes.
 * `compact` sums the deadlines up in one part naming the most urgent stage.
 */
export function subjectParts(summary: DigestSummary, compact = false): string[] {
  const parts: string[] = [];
  if (summary.newBlockers > 0)
    parts.push(plural(summary.newBlockers, 'new migration blocker', 'new migration blockers'));
  if (summary.newWarnings > 0) {
    const overdue = summary.newOverdue ?? 0;
    // Retirements already past their date are the urgent part of a first digest: say so.
    parts.push(
      `${plural(summary.newWarnings, 'new warning', 'new warnings')}${overdue > 0 ? ` (${overdue} past retirement)` : ''}`,
    );
  }
  const stages = STAGES.map((s) => ({ ...s, n: summary.deadlines[s.urgency] ?? 0 })).filter(
    (s) => s.n > 0,
  );
  const first = stages[0];
  if (compact && first && stages.length > 1) {
    const total = stages.reduce((sum, s) => sum + s.n, 0);
    parts.push(`${plural(total, 'deadline', 'deadlines')} closer (${first.n} now ${first.phrase})`);
  } else {
    for (const s of stages) parts.push(`${plural(s.n, 'deadline', 'deadlines')} now ${s.phrase}`);
  }
  const expired = summary.exemptionsExpired ?? 0;
  if (expired > 0) parts.push(plural(expired, 'exemption expired', 'exemptions expired'));
  if (summary.resolved > 0) parts.push(`${summary.resolved} resolved`);
  return parts;
}

/** "[Azure readiness] 3 new migration blockers, 1 deadline now in 30 days, 2 resolved", at most MAX_SUBJECT_LENGTH characters. */
export function digestSubject(summary: DigestSummary): string {
  const full = subjectParts(summary);
  if (full.length === 0) return `${SUBJECT_PREFIX} No changes`;
  const long = `${SUBJECT_PREFIX} ${full.join(', ')}`;
  if (long.length <= MAX_SUBJECT_LENGTH) return long;
  const parts = subjectParts(summary, true);
  const compact = `${SUBJECT_PREFIX} ${parts.join(', ')}`;
  if (compact.length <= MAX_SUBJECT_LENGTH) return compact;
  // Keep the most serious parts that fit with the ", and more" tail.
  const kept: string[] = [];
  for (const part of parts) {
    const candidate = `${SUBJECT_PREFIX} ${[...kept, part].join(', ')}, and more`;
    if (candidate.length > MAX_SUBJECT_LENGTH) break;
    kept.push(part);
  }
  return kept.length > 0
    ? `${SUBJECT_PREFIX} ${kept.join(', ')}, and more`
    : `${SUBJECT_PREFIX} Migration readiness changes`;
}

// --- shared model -------------------------------------------------------------

interface Section {
  readonly id: 'blockers' | 'warnings' | 'expired' | 'deadlines' | 'resolved';
  readonly title: string;
  readonly lead: string;
  readonly accent: string;
  readonly items: readonly DigestItem[];
}

interface RuleGroup {
  readonly ruleId: string;
  readonly rule: RuleMeta | undefined;
  readonly items: readonly DigestItem[];
}

function sectionsOf(digest: Digest): Section[] {
  const pick = (test: (i: DigestItem) => boolean) => digest.items.filter(test);
  const sections: Section[] = [
    {
      id: 'blockers',
      title: 'New blockers',
      lead: 'These stop the migration of the resource until they are fixed.',
      accent: '#a4262c',
      items: pick((i) => i.kind === 'new' && i.severity === 'blocker'),
    },
    {
      id: 'warnings',
      title: 'New warnings',
      lead: 'These need attention before or during the migration.',
      accent: '#8a5300',
      items: pick((i) => i.kind === 'new' && i.severity !== 'blocker'),
    },
    {
      id: 'expired',
      title: 'Exemptions expired',
      lead: 'These were accepted until a date that has passed: they count again, until fixed or exempted anew.',
      accent: '#a4262c',
      items: pick((i) => i.kind === 'exemption-expired'),
    },
    {
      id: 'deadlines',
      title: 'Deadlines closer',
      lead: 'Retirement deadlines that moved into a more urgent stage since your last digest.',
      accent: '#8a5300',
      items: pick((i) => i.kind === 'deadline'),
    },
    {
      id: 'resolved',
      title: 'Resolved \u2014 good news',
      lead: 'These findings are gone since your last digest. Thank you.',
      accent: '#0b6a0b',
      items: pick((i) => i.kind === 'resolved'),
    },
  ];
  return sections.filter((s) => s.items.length > 0);
}

/**
 * Groups by rule, keeping the digest's order (it is sorted by kind, severity, rule); retirements come after the
 * other groups, by date and then service, so an owner reads them as a calendar.
 */
function groupsOf(items: readonly DigestItem[], rules: readonly RuleMeta[]): RuleGroup[] {
  const byRule = new Map<string, DigestItem[]>();
  for (const item of items) {
    const list = byRule.get(item.ruleId);
    if (list) list.push(item);
    else byRule.set(item.ruleId, [item]);
  }
  const groups = [...byRule].map(([ruleId, list]) => ({
    ruleId,
    rule: rules.find((r) => r.id === ruleId),
    items: list,
  }));
  const dated = groups.filter((g) => retirementOf(g));
  const other = groups.filter((g) => !retirementOf(g));
  dated.sort((a, b) => {
    const x = retirementOf(a) as { date: string; service: string };
    const y = retirementOf(b) as { date: string; service: string };
    return (
      x.date.localeCompare(y.date) ||
      x.service.localeCompare(y.service) ||
      a.ruleId.localeCompare(b.ruleId)
    );
  });
  return [...other, ...dated];
}

/** A retirement group's date, service and Microsoft's link. */
function retirementOf(
  group: RuleGroup,
): { date: string; service: string; link: string | undefined } | undefined {
  const date = group.rule?.deadline ?? group.items.find((i) => i.deadline)?.deadline;
  if (!date) return undefined;
  const service =
    group.rule?.retirement?.service ??
    serviceOfType(group.rule?.appliesTo[0] ?? group.items[0]?.resourceType) ??
    'Azure';
  return { date, service, link: group.rule?.retirement?.link ?? group.rule?.links[0] };
}

/** Text a person reads: control characters (but newlines) and bidirectional overrides removed. */
export function cleanText(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** The same, on one line (names, groups, reasons). */
function oneLine(value: unknown): string {
  return cleanText(value).replace(/\n+/g, ' ').trim();
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "26 November 2026" (UTC), independent of the host's locale. */
function longDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "overdue since 2024-08-31 (812 days)" / "2027-03-31, in 125 days (due within 180 days)". */
function deadlineText(item: DigestItem, now: Date): string | undefined {
  if (!item.deadline) return undefined;
  const days = daysUntil(item.deadline, now);
  const when =
    days < 0
      ? `overdue since ${item.deadline} (${plural(-days, 'day', 'days')})`
      : days === 0
        ? `${item.deadline}, today`
        : `${item.deadline}, in ${plural(days, 'day', 'days')}`;
  const stage = item.urgency && item.urgency !== 'overdue' ? ` (${STAGE_LABEL[item.urgency]})` : '';
  const moved =
    item.kind === 'deadline'
      ? item.previousUrgency
        ? `; was ${STAGE_LABEL[item.previousUrgency]}`
        : '; newly due'
      : '';
  return `${when}${stage}${moved}`;
}

function isLinkable(url: string | undefined): url is string {
  return url !== undefined && safeHref(url) !== '#';
}

function reasonsOf(digest: Digest): string[] {
  return [...new Set(digest.items.map((i) => oneLine(i.reason)).filter(Boolean))];
}

// --- HTML -------------------------------------------------------------------

// Colours: dark text on light panels, AA contrast; explicit on every block so clients that
// recolour for dark mode keep foreground and background paired.
const C = {
  page: '#eef0f3',
  card: '#ffffff',
  fg: '#1b1b1b',
  muted: '#4a4a4a',
  line: '#d0d3d8',
  head: '#f3f4f6',
  link: '#0645ad',
  banner: '#12355b',
  urgent: '#a4262c',
  bannerFg: '#ffffff',
};
// Unquoted family names: quotes would be escaped inside the style attributes.
const FONT = 'font-family:Segoe UI,Roboto,Helvetica,Arial,sans-serif';
const MONO = 'font-family:Consolas,Courier New,monospace';

function link(url: string | undefined, label: Html | string): Html {
  if (!isLinkable(url)) return html`${label}`;
  return html`<a href="${raw(safeHref(url))}" style="color:${C.link};text-decoration:underline;">${label}</a>`;
}

function moreRow(hidden: number, dashboardUrl: string | undefined, columns: number): Html {
  const text = `and ${hidden} more \u2014 see the dashboard`;
  return html`<tr><td colspan="${columns}" style="padding:6px 8px;border-top:1px solid ${C.line};color:${C.fg};font-size:13px;font-style:italic;">${link(dashboardUrl, text)}</td></tr>`;
}

function askLink(item: DigestItem, recipient: string, options: DigestEmailOptions): Html {
  if (!options.platformContact || item.kind === 'resolved') return html``;
  const href = exemptionRequestHref(options.platformContact, {
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    ruleId: item.ruleId,
    requester: recipient,
  });
  return html`<br><a href="${href}" style="color:${C.link};text-decoration:underline;font-size:12px;">Ask the platform team for an exemption</a>`;
}

function itemRow(
  item: DigestItem,
  now: Date,
  withDeadline: boolean,
  ask: Html | string = '',
): Html {
  const cell = `padding:6px 8px;border-top:1px solid ${C.line};vertical-align:top;color:${C.fg};font-size:13px;line-height:1.4;word-break:break-word;`;
  const deadline = withDeadline ? deadlineText(item, now) : undefined;
  const urgent = item.urgency === 'overdue' || item.urgency === 'due-7';
  return html`<tr>
<td style="${cell}"><strong>${oneLine(item.resourceName)}</strong></td>
<td style="${cell}">${oneLine(item.resourceGroup)}<br><span style="color:${C.muted};font-size:12px;">${oneLine(item.subscriptionName)}</span></td>
<td style="${cell}">${oneLine(item.message)}${deadline ? html`<br><span style="color:${urgent ? C.urgent : C.muted};font-size:12px;${urgent ? 'font-weight:bold;' : ''}">Deadline: ${deadline}</span>` : ''}</td>
<td style="${cell}color:${C.muted};font-size:12px;">${oneLine(item.reason)}${ask}</td>
</tr>`;
}

function groupHtml(
  group: RuleGroup,
  section: Section,
  options: DigestEmailOptions,
  max: number,
  recipient: string,
): Html {
  const title = oneLine(group.rule?.title ?? group.ruleId);
  const docUrl = options.ruleDocUrl(group.ruleId);
  const shown = group.items.slice(0, max);
  const hidden = group.items.length - shown.length;
  const withDeadline = group.items.some((i) => i.deadline);
  const th = `padding:6px 8px;text-align:left;font-size:12px;font-weight:bold;color:${C.fg};background-color:${C.head};border-bottom:1px solid ${C.line};`;
  const recommendation =
    section.id !== 'resolved' && group.rule?.recommendation
      ? html`<p style="margin:4px 0 8px 0;color:${C.fg};font-size:13px;line-height:1.45;"><strong>What to do:</strong> ${oneLine(group.rule.recommendation)}</p>`
      : '';
  const docNote = isLinkable(docUrl)
    ? ''
    : html`<br><span style="color:${C.muted};font-size:12px;">Doc: <span style="${MONO}">${oneLine(docUrl)}</span></span>`;
  const retirement = retirementOf(group);
  const retires = retirement
    ? html`<p style="margin:2px 0 0 0;color:${C.fg};font-size:13px;">Retires <strong>${retirement.date}</strong> \u00b7 ${oneLine(retirement.service)}${isLinkable(retirement.link) ? html` \u00b7 ${link(retirement.link, "Microsoft's announcement")}` : ''}</p>`
    : '';
  return html`<tr><td style="padding:12px 24px 4px 24px;background-color:${C.card};color:${C.fg};${FONT};">
<p style="margin:0;font-size:15px;line-height:1.35;font-weight:bold;color:${C.fg};">${link(docUrl, title)} <span style="${MONO};font-size:12px;font-weight:normal;color:${C.muted};">${group.ruleId}</span> <span style="font-size:12px;font-weight:normal;color:${C.muted};">(${plural(group.items.length, 'resource', 'resources')})</span>${docNote}</p>
${retires}
${recommendation}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;border:1px solid ${C.line};${FONT};">
<tr><th style="${th}width:24%;">Resource</th><th style="${th}width:22%;">Group / subscription</th><th style="${th}">Finding</th><th style="${th}width:20%;">Why you</th></tr>
${shown.map((item) => itemRow(item, options.now, withDeadline, askLink(item, recipient, options)))}
${hidden > 0 ? moreRow(hidden, options.dashboardUrl && ownerViewUrl(options.dashboardUrl, recipient, group.ruleId), 4) : ''}
</table>
</td></tr>`;
}

function sectionHtml(
  section: Section,
  options: DigestEmailOptions,
  max: number,
  recipient: string,
): Html {
  return html`<tr><td style="padding:20px 24px 0 24px;background-color:${C.card};color:${C.fg};${FONT};">
<h2 style="margin:0;padding:0 0 4px 8px;border-left:4px solid ${section.accent};font-size:18px;line-height:1.3;color:${C.fg};">${section.title} (${section.items.length})</h2>
<p style="margin:4px 0 0 0;color:${C.muted};font-size:13px;">${section.lead}</p>
</td></tr>
${groupsOf(section.items, options.rules).map((g) => groupHtml(g, section, options, max, recipient))}`;
}

function renderHtml(
  digest: Digest,
  subject: string,
  options: DigestEmailOptions,
  max: number,
): string {
  const summary = subjectParts(summarize(digest));
  const reasons = reasonsOf(digest);
  const sections = sectionsOf(digest);
  const dashboard = options.dashboardUrl;
  const own = dashboard && ownerViewUrl(dashboard, digest.recipient);
  const yours =
    digest.open !== undefined
      ? `your ${plural(digest.open, 'open finding', 'open findings')}`
      : 'your open findings';
  // A mailto link (safeHref keeps only web links): the address is a validated setting, escaped as any value.
  const ask = options.platformContact
    ? html`<a href="mailto:${options.platformContact}" style="color:${C.link};text-decoration:underline;">ask the platform team for an exemption</a>`
    : 'ask the platform team for an exemption';
  const p = `margin:0 0 8px 0;color:${C.fg};font-size:14px;line-height:1.5;`;
  const small = `margin:0 0 6px 0;color:${C.muted};font-size:12px;line-height:1.5;`;
  const body = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background-color:${C.page};color:${C.fg};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${summary.length > 0 ? summary.join(', ') : 'No changes'}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background-color:${C.page};">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;border-collapse:collapse;background-color:${C.card};color:${C.fg};${FONT};">
<tr><td style="padding:16px 24px;background-color:${C.banner};color:${C.bannerFg};${FONT};">
<p style="margin:0;font-size:12px;letter-spacing:0.5px;text-transform:uppercase;color:${C.bannerFg};">Azure classic-to-ARM readiness</p>
<h1 style="margin:4px 0 0 0;font-size:20px;line-height:1.3;color:${C.bannerFg};">Your migration readiness digest</h1>
</td></tr>
<tr><td style="padding:16px 24px 0 24px;background-color:${C.card};color:${C.fg};${FONT};">
<p style="${p}">For <strong>${oneLine(digest.recipient)}</strong>, as of ${longDate(options.now)} (UTC).</p>
<p style="${p}">${summary.length > 0 ? `${summary.join(', ')}.` : 'Nothing changed since your last digest.'}</p>
${isLinkable(own) ? html`<p style="${p}">See ${link(own, yours)} on the dashboard.</p>` : ''}
</td></tr>
${sections.map((s) => sectionHtml(s, options, max, digest.recipient))}
<tr><td style="padding:24px 24px 20px 24px;background-color:${C.card};color:${C.muted};${FONT};border-top:1px solid ${C.line};">
${isLinkable(dashboard) ? html`<p style="${small}">Dashboard: ${link(dashboard, oneLine(dashboard))}</p>` : ''}
<p style="${small}">Why you receive this: ${reasons.length > 0 ? reasons.join('; ') : 'you are named as an owner of these resources'}. Owners come from resource tags (such as <span style="${MONO}">owner</span>, <span style="${MONO}">OwnerEmail</span> or <span style="${MONO}">contact</span>); findings without an owner go to the default recipients.</p>
<p style="${small}">How to stop it: fix the findings, or ${ask}${options.platformContact ? html` (<span style="${MONO}">${options.platformContact}</span>; each finding above links a pre-filled request)` : ''}. The digest only mentions what changed since the last one.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return body.value;
}

// --- plain text ---------------------------------------------------------------

/** Wraps on spaces at `width`; a word longer than the width (a URL) keeps its own line unbroken. */
export function wrapText(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const lines: string[] = [];
  for (const paragraph of cleanText(text).split('\n')) {
    let line = '';
    let prefix = lines.length === 0 ? firstIndent : indent;
    for (const word of paragraph.split(/ +/).filter(Boolean)) {
      if (line && prefix.length + line.length + 1 + word.length > width) {
        lines.push(prefix + line);
        prefix = indent;
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(prefix + line);
  }
  return lines;
}

function underline(title: string, char: string): string[] {
  return [title, char.repeat(Math.min(title.length, TEXT_WIDTH))];
}

function groupText(
  group: RuleGroup,
  section: Section,
  options: DigestEmailOptions,
  max: number,
  recipient: string,
): string[] {
  const out: string[] = [];
  const title = oneLine(group.rule?.title ?? group.ruleId);
  out.push(
    ...wrapText(
      `${title} [${group.ruleId}] (${plural(group.items.length, 'resource', 'resources')})`,
      TEXT_WIDTH,
      '  ',
      '* ',
    ),
  );
  out.push(`  Doc: ${oneLine(options.ruleDocUrl(group.ruleId))}`);
  const retirement = retirementOf(group);
  if (retirement)
    out.push(
      ...wrapText(
        `Retires ${retirement.date} - ${oneLine(retirement.service)}${retirement.link ? ` - Microsoft's announcement: ${oneLine(retirement.link)}` : ''}`,
        TEXT_WIDTH,
        '  ',
      ),
    );
  if (section.id !== 'resolved' && group.rule?.recommendation)
    out.push(...wrapText(`What to do: ${oneLine(group.rule.recommendation)}`, TEXT_WIDTH, '  '));
  const shown = group.items.slice(0, max);
  for (const item of shown) {
    out.push('');
    out.push(...wrapText(oneLine(item.resourceName), TEXT_WIDTH, '      ', '    - '));
    out.push(...wrapText(`Resource group: ${oneLine(item.resourceGroup)}`, TEXT_WIDTH, '      '));
    out.push(...wrapText(`Subscription: ${oneLine(item.subscriptionName)}`, TEXT_WIDTH, '      '));
    out.push(...wrapText(`Finding: ${oneLine(item.message)}`, TEXT_WIDTH, '      '));
    const deadline = deadlineText(item, options.now);
    if (deadline) out.push(...wrapText(`Deadline: ${deadline}`, TEXT_WIDTH, '      '));
    out.push(...wrapText(`Why you: ${oneLine(item.reason)}`, TEXT_WIDTH, '      '));
  }
  const hidden = group.items.length - shown.length;
  if (hidden > 0) {
    out.push('');
    out.push(
      `    and ${hidden} more \u2014 see the dashboard${options.dashboardUrl ? `: ${oneLine(ownerViewUrl(options.dashboardUrl, recipient, group.ruleId))}` : ''}`,
    );
  }
  out.push('');
  return out;
}

function renderText(digest: Digest, options: DigestEmailOptions, max: number): string {
  const summary = subjectParts(summarize(digest));
  const reasons = reasonsOf(digest);
  const out: string[] = [];
  out.push('Azure classic-to-ARM readiness: your migration readiness digest', '');
  out.push(
    ...wrapText(
      `For ${oneLine(digest.recipient)}, as of ${longDate(options.now)} (UTC).`,
      TEXT_WIDTH,
    ),
  );
  out.push(
    ...wrapText(
      summary.length > 0 ? `${summary.join(', ')}.` : 'Nothing changed since your last digest.',
      TEXT_WIDTH,
    ),
  );
  if (options.dashboardUrl)
    out.push(
      `${digest.open !== undefined ? `Your ${plural(digest.open, 'open finding', 'open findings')}` : 'Your open findings'}: ${oneLine(ownerViewUrl(options.dashboardUrl, digest.recipient))}`,
    );
  out.push('');
  for (const section of sectionsOf(digest)) {
    out.push('', ...underline(`${section.title} (${section.items.length})`.toUpperCase(), '='));
    out.push(...wrapText(section.lead, TEXT_WIDTH), '');
    for (const group of groupsOf(section.items, options.rules))
      out.push(...groupText(group, section, options, max, digest.recipient));
  }
  out.push('-- ');
  if (options.dashboardUrl) out.push(`Dashboard: ${oneLine(options.dashboardUrl)}`);
  out.push(
    ...wrapText(
      `Why you receive this: ${reasons.length > 0 ? reasons.join('; ') : 'you are named as an owner of these resources'}. Owners come from resource tags (such as owner, OwnerEmail or contact); findings without an owner go to the default recipients.`,
      TEXT_WIDTH,
    ),
  );
  out.push(
    ...wrapText(
      `How to stop it: fix the findings, or ask the platform team for an exemption${options.platformContact ? ` (write to ${oneLine(options.platformContact)} with the resource id and the rule; the HTML part links a pre-filled request for each finding)` : ''}. The digest only mentions what changed since the last one.`,
      TEXT_WIDTH,
    ),
  );
  return `${out.join('\n')}\n`;
}

// --- entry point --------------------------------------------------------------

export function renderDigestEmail(digest: Digest, options: DigestEmailOptions): DigestEmail {
  const cap = options.maxItemsPerGroup ?? DEFAULT_MAX_ITEMS;
  const max = Number.isFinite(cap) ? Math.max(1, Math.floor(cap)) : DEFAULT_MAX_ITEMS;
  const subject = digestSubject(summarize(digest));
  return {
    subject,
    html: renderHtml(digest, subject, options, max),
    text: renderText(digest, options, max),
  };
}
