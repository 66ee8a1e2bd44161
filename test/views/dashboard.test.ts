import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, renderDashboard } from '../../src/views/dashboard.js';
import type { DashboardModel } from '../../src/views/dashboard-model.js';
import {
  dashboardFixture,
  emptyDashboard,
  FINDINGS,
  HOSTILE_BREAKOUT,
  HOSTILE_HREF,
  HOSTILE_MARKUP,
  HOSTILE_SCRIPT,
  RULES,
  SUBS,
} from './dashboard-fixture.js';

const NONCE = 'r4nd0mN0nce+/AbCdEfGh==';

function render(model: DashboardModel = dashboardFixture()): string {
  return renderDashboard(model, { nonce: NONCE });
}

/** The visible text, roughly: no style or script, tags removed, whitespace collapsed. */
function textOf(page: string): string {
  return page
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

/** The markup of the element with this id (to its matching closing tag; no nesting of the same tag inside). */
function element(page: string, tag: string, id: string): string {
  const start = page.search(new RegExp(`<${tag}\\b[^>]*\\bid="${id}"`));
  expect(start, `<${tag} id="${id}">`).toBeGreaterThanOrEqual(0);
  const end = page.indexOf(`</${tag}>`, start);
  return page.slice(start, end + tag.length + 3);
}

function count(haystack: string, needle: RegExp): number {
  return (
    haystack.match(
      new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : `${needle.flags}g`),
    )?.length ?? 0
  );
}

describe('DASHBOARD_CSP', () => {
  it('allows only the nonce-bearing inline style and script, data: images and same-origin fetches', () => {
    expect(DASHBOARD_CSP(NONCE)).toBe(
      `default-src 'none'; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('refuses a nonce that is not plain base64 (it could smuggle sources into the policy)', () => {
    expect(() => DASHBOARD_CSP("abcdefghijklmnop'; script-src *")).toThrow(/nonce/);
    expect(() => DASHBOARD_CSP('short')).toThrow(/nonce/);
    expect(() => renderDashboard(dashboardFixture(), { nonce: '"><script>x' })).toThrow(/nonce/);
  });
});

describe('renderDashboard', () => {
  it('is one HTML5 document with one nonce-bearing style and one nonce-bearing script', () => {
    const page = render();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<meta charset="utf-8" />');
    expect(page).toContain(
      '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    );
    expect(count(page, /<style\b/)).toBe(1);
    expect(page).toContain(`<style nonce="${NONCE}">`);
    expect(count(page, /<script\b/i)).toBe(1);
    expect(page).toContain(`<script nonce="${NONCE}">`);
    expect(count(page, /<\/script/i)).toBe(1);
  });

  it('keeps hostile strings inert: escaped, never raw', () => {
    const page = render();
    for (const hostile of [HOSTILE_SCRIPT, HOSTILE_MARKUP, HOSTILE_BREAKOUT, '<b>bold</b>']) {
      expect(page).not.toContain(hostile);
    }
    expect(page).not.toMatch(/javascript:/i);
    expect(page).not.toMatch(/alert\(1\)<\/script>|<script>alert/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;quotes&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    // The rule whose doc URL is javascript: links nowhere.
    const xml = RULES.find((r) => r.docUrl === HOSTILE_HREF);
    expect(page).toContain(`<a href="#" rel="noreferrer" title="${xml?.id}">`);
    // No attribute is broken out of: every tag's quotes pair up.
    for (const tag of page.match(/<[a-z][^>]*>/gi) ?? []) {
      expect(count(tag, /"/g) % 2, tag).toBe(0);
    }
  });

  it('loads nothing from anywhere: the only http(s) links are <a> links to rule docs', () => {
    const page = render();
    expect(page).not.toMatch(/\bsrc\s*=/i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(count(page, /<link\b/)).toBe(1);
    expect(page).toContain('<link rel="icon" href="data:," />');
    const docs = new Set(RULES.map((r) => r.docUrl));
    const hrefs = [...page.matchAll(/<(\w+)\b[^>]*\shref="([^"]*)"/g)];
    expect(hrefs.length).toBeGreaterThan(0);
    for (const [, tag, href] of hrefs) {
      if (/^https?:/i.test(href ?? '')) {
        expect(tag).toBe('a');
        expect(docs.has(href ?? '')).toBe(true);
      } else {
        expect(href).toMatch(/^(#|\/(?!\/)|data:,$)/);
      }
    }
  });

  it('shows the last scan, its status and the incomplete subscriptions with their reasons', () => {
    const page = render();
    const text = textOf(page);
    expect(page).toContain('<span class="status status-partial">partial</span>');
    expect(text).toContain('scan-20261126-0800');
    expect(text).toContain('4 of 5 complete');
    expect(text).toContain('1,234');
    expect(text).toContain('2026-11-26 07:58 UTC');
    expect(text).toContain(`Contoso Unreachable ${SUBS.lost} : unreached — forbidden:`);
    expect(page).toContain('forbidden: &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows the counts: summary cards, new and resolved since the previous scan', () => {
    const text = textOf(render());
    expect(text).toContain('6 open blockers');
    // Overdue retirements are their own headline number, apart from the warnings.
    expect(text).toContain('1 overdue retirement past its date');
    expect(text).toContain('2 other open warnings');
    expect(text).toContain('2 open info findings');
    expect(text).toContain('11 open findings in all');
    expect(text).toContain('2 new since the previous scan and 1 reopened');
    expect(text).toContain('2 resolved since the previous scan');
    expect(text).toContain('previous scan scan-20261125-0800');
    expect(text).toContain('3 exempted (accepted until a date), not counted above');
  });

  it('warns when the figures are stale', () => {
    const text = textOf(render());
    expect(text).toContain(
      'The figures may be out of date: the last successful scan ended 24 h ago, more than two scan intervals (12 h).',
    );
  });

  it('ranks blockers by subscription and by rule: sorted, each opening its view, equal counts grouped', () => {
    const page = render();
    const subs = element(page, 'ol', 'rank-subscriptions');
    expect([...subs.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([3, 2, 1]);
    expect(textOf(subs)).toMatch(/3 Contoso Production/);
    expect(subs).toContain(`href="/api/dashboard?subscription=${SUBS.prod}&amp;severity=blocker"`);
    expect(subs).toContain('Sandbox &quot;quotes&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    const rules = element(page, 'ol', 'rank-rules');
    // 4 of one rule, then the two rules with 1 blocker each in one group.
    expect([...rules.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([4, 1]);
    expect(textOf(rules)).toMatch(/4 Endpoint ACLs on a classic VM/);
    expect(textOf(rules)).toMatch(/1 each 2 rules: Classic VNet with an ExpressRoute gateway/);
    expect(rules).toContain('href="/api/dashboard?rule=classic%2Fvm-endpoint-acl"');
    // Warnings and info are not blockers.
    expect(rules).not.toContain('Backup extension');
  });

  it('stays short when every count is 1: one group, the first names and how many more', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      subscriptionId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      displayName: `Subscription ${String(i).padStart(2, '0')}`,
      outcome: 'complete' as const,
      open: 1,
      bySeverity: { blocker: 1, warning: 0, info: 0 },
    }));
    const page = render(dashboardFixture({ subscriptions: many }));
    const subs = element(page, 'ol', 'rank-subscriptions');
    expect(count(subs, /data-count=/)).toBe(1);
    expect(textOf(subs)).toContain('1 each 30 subscriptions: Subscription 00');
    expect(textOf(subs)).toContain('and 18 more');
    expect(count(subs, /<a /)).toBe(12);
  });

  it('lays out the deadline timeline: every stage with its count and rules', () => {
    const page = render();
    const start = page.indexOf('<ol class="timeline">');
    const timeline = page.slice(start, page.indexOf('</ol>', start));
    const stages = [...timeline.matchAll(/data-urgency="([^"]+)"/g)].map((m) => m[1]);
    expect(stages).toEqual(['overdue', 'due-7', 'due-30', 'due-90', 'due-180', 'later']);
    const text = textOf(timeline);
    expect(text).toContain(
      'Overdue 1 finding Cloud Services (classic) retirement 1 finding · overdue since 2024-08-31',
    );
    expect(text).toContain(
      'Due within 30 days 2 findings Basic SKU public IP retirement 2 findings · retires 2026-12-20',
    );
    expect(text).toMatch(/Later 0 findings Nothing/);
  });

  it('reaches every section from the navigation, exemptions included', () => {
    for (const model of [
      dashboardFixture(),
      dashboardFixture({ exemptions: [], audit: [] }),
      dashboardFixture({
        status: {
          ...dashboardFixture().status,
          refusedRecipients: [
            { address: 'x@evil.example', why: 'outside', where: 'tag', findings: 1 },
          ],
        },
      }),
    ]) {
      const page = render(model);
      const main = page.slice(page.indexOf('<main'));
      const sections = [...main.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1]);
      const nav = page.slice(page.indexOf('<nav class="sections"'), page.indexOf('</nav>'));
      const links = [...nav.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
      expect(links).toEqual(sections);
      expect(links).toContain('exemptions-h');
    }
  });

  it('shows the migration plan: units, ready ones, blocked ones with the rules to fix, names escaped', () => {
    expect(render()).not.toContain('id="plan-h"');
    const page = render(
      dashboardFixture({
        plan: {
          units: 3,
          ready: 1,
          blocked: 1,
          undecided: 2,
          list: [
            {
              order: 2,
              name: `vnet-${HOSTILE_SCRIPT}`,
              scope: 'vnet',
              resourceGroup: 'Default-Networking',
              state: 'blocked',
              contents: '1 virtual network, 2 VMs',
              blockers: 2,
              blockerRules: ['classic/vnet-expressroute'],
              subscriptionId: SUBS.prod,
              subscriptionName: 'Contoso Production',
            },
            {
              order: 1,
              name: 'cs-nonet',
              scope: 'vms-outside-vnet',
              resourceGroup: 'cs-nonet',
              state: 'ready',
              contents: '1 cloud service, 1 VM',
              blockers: 0,
              blockerRules: [],
              subscriptionId: SUBS.prod,
              subscriptionName: 'Contoso Production',
            },
          ],
        },
      }),
    );
    const section = page.slice(
      page.indexOf('id="plan-h"'),
      page.indexOf('</section>', page.indexOf('id="plan-h"')),
    );
    const text = textOf(section);
    expect(text).toContain('3 units (1 ready, 2 blocked or waiting)');
    expect(text).toContain('2 classic resources are not placed');
    expect(section).not.toContain(HOSTILE_SCRIPT);
    expect(section).toContain('vnet-&lt;script&gt;');
    expect(section).toContain(
      `href="/api/dashboard?rule=classic%2Fvnet-expressroute&amp;subscription=${SUBS.prod}"`,
    );
    expect(text).toMatch(
      /Blocked 1 virtual network, 2 VMs Contoso Production 2 blockers: Classic VNet with an ExpressRoute gateway/,
    );
  });

  it('says what is coming next, not only what is long past', () => {
    const page = render();
    const next = textOf(element(page, 'div', 'deadlines-next')).replace(/ ([,.])/g, '$1');
    expect(next).toContain(
      'Coming next: Basic SKU public IP retirement: 2026-12-20, in 24 days (2 findings)',
    );
    expect(textOf(next)).toContain(
      'Past their date: 1 retirement, the oldest overdue since 2024-08-31',
    );
    const base = dashboardFixture();
    const pastOnly = render({
      ...base,
      status: {
        ...base.status,
        deadlines: {
          ...base.status.deadlines,
          rules: base.status.deadlines.rules.filter((r) => r.urgency === 'overdue'),
        },
      },
    });
    expect(textOf(element(pastOnly, 'div', 'deadlines-next'))).toContain(
      'Nothing is coming: every retirement with open findings is past its date.',
    );
  });

  it('holds every retirement on the timeline with its service and link, filterable by service', () => {
    const base = dashboardFixture();
    const rules = [
      ...base.status.deadlines.rules.map((r) => ({ ...r, service: 'ClassicCompute' })),
      {
        ruleId: 'retirement/health-zk3n-8rt',
        deadline: '2026-11-10',
        urgency: 'overdue' as const,
        count: 1,
        service: 'Functions',
        title: `Functions: in-process model ${HOSTILE_MARKUP}`,
        link: 'javascript:alert(1)',
      },
      {
        ruleId: 'retirement/network-basic-load-balancer',
        deadline: '2025-09-30',
        urgency: 'overdue' as const,
        count: 3,
        service: 'Network',
        link: 'https://learn.microsoft.com/azure/load-balancer/',
      },
    ];
    const page = render({
      ...base,
      status: { ...base.status, deadlines: { ...base.status.deadlines, rules } },
    });
    const section = page.slice(
      page.indexOf('id="deadlines-h"'),
      page.indexOf('</section>', page.indexOf('id="deadlines-h"')),
    );
    expect(section).toContain('<select id="t-service">');
    expect([...section.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])).toEqual([
      '',
      'ClassicCompute',
      'Functions',
      'Network',
    ]);
    expect(section).toContain('data-service="Functions"');
    expect(section).toContain('href="https://learn.microsoft.com/azure/load-balancer/"');
    // A retirement the catalog does not name shows its title, escaped; an unsafe link is dropped.
    expect(section).not.toContain(HOSTILE_MARKUP);
    expect(section).not.toContain('javascript:');
  });

  it('draws the trend when there are two days or more, and says why not otherwise', () => {
    const page = render();
    const svg = element(page, 'svg', 'trend-chart');
    expect(count(svg, /<polyline\b/)).toBe(2);
    expect(textOf(page)).toContain('Open findings went from 20 on 2026-11-22 to 11 on 2026-11-26');
    const one = render(dashboardFixture({ trend: dashboardFixture().trend.slice(0, 1) }));
    expect(one).not.toContain('id="trend-chart"');
    expect(one).toContain('appears once scans have run on two different days');
  });

  it('renders a findings table with every column, rule doc links and links to narrower views', () => {
    const page = render();
    const table = element(page, 'table', 'findings-table');
    expect(table).toMatch(/<caption\b/);
    const headers = [...table.matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual([
      'Severity',
      'State',
      'Rule',
      'Resource',
      'Subscription',
      'Resource group',
      'Owners, and why',
      'Deadline',
      'Message',
    ]);
    const body = table.slice(table.indexOf('<tbody>'));
    expect(count(body, /<tr\b/)).toBe(FINDINGS.length);
    expect(count(body, /data-severity="blocker"/)).toBe(6);
    expect(count(body, /<th scope="row"/)).toBe(FINDINGS.length);
    expect(body).toContain('<a href="/api/rules/classic/vm-endpoint-acl" rel="noreferrer"');
    // A subscription and an owner each open their own view.
    expect(body).toContain(`<a href="/api/dashboard?subscription=${SUBS.legacy}">`);
    expect(body).toContain('<a href="/api/dashboard?owner=ops%40contoso.com">');
    expect(body).toContain('data-state="reopened"');
    expect(body).toContain(
      'title="/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/',
    );
    expect(textOf(body)).toContain('Blocker');
    // Long past: overdue since the date, not "before" it.
    expect(textOf(body)).toContain('overdue since 2024-08-31');
    expect(textOf(body)).toContain('due 2026-12-20 Due within 30 days');
    expect(textOf(page)).toContain('11 findings on this page of 11 in this view');
  });

  it('shows the active filters, each removable, and a link that clears them all', () => {
    const plain = render();
    expect(textOf(element(plain, 'p', 'active-filters'))).toContain('All open findings');
    const page = render(
      dashboardFixture({
        filters: { owner: 'ops@contoso.com', severity: 'blocker', subscription: SUBS.legacy },
      }),
    );
    const active = page.slice(
      page.indexOf('id="active-filters"'),
      page.indexOf('id="clear-filters"'),
    );
    expect(textOf(active)).toContain('Owner: ops@contoso.com');
    expect(textOf(active)).toContain('Severity: Blockers');
    expect(textOf(active)).toContain(`Subscription: Legacy`);
    expect(active).not.toContain(HOSTILE_BREAKOUT);
    // Removing one keeps the others.
    expect(active).toMatch(
      new RegExp(
        `href="/api/dashboard\\?owner=ops%40contoso\\.com&amp;subscription=${SUBS.legacy}"`,
      ),
    );
    expect(page).toContain('<a id="clear-filters" href="/api/dashboard">Clear all filters</a>');
    // The view says what it is at the top of the page, before the tenant's figures.
    const banner = page.slice(page.indexOf('class="view-banner"'));
    expect(page.indexOf('class="view-banner"')).toBeLessThan(page.indexOf('id="summary-h"'));
    expect(textOf(banner.slice(0, banner.indexOf('</p>')))).toContain(
      'This view: Owner ops@contoso.com',
    );
    expect(render()).not.toContain('class="view-banner"');
  });

  it('pages: a next link (rel=next) carrying the continuation, and the first page', () => {
    const page = render(
      dashboardFixture({
        findingsTotal: 1500,
        page: {
          size: 11,
          nextUrl: '/api/dashboard?severity=blocker&continuationToken=abc.def',
          firstUrl: '/api/dashboard?severity=blocker',
        },
        filters: { severity: 'blocker' },
        csvUrl: '/api/findings?format=csv&top=1000',
      }),
    );
    expect(page).toContain(
      '<a href="/api/dashboard?severity=blocker&amp;continuationToken=abc.def" rel="next" id="next-page">Next page</a>',
    );
    expect(page).toContain('<a href="/api/dashboard?severity=blocker">First page</a>');
    expect(textOf(page)).toContain('11 findings on this page of 1,500 in this view');
    expect(page).toContain('<a href="/api/findings?format=csv&amp;top=1000">');
    expect(render()).not.toContain('rel="next"');
  });

  it('links each finding to a pre-filled exemption request to the platform contact', () => {
    const page = render(dashboardFixture({ platformContact: 'platform@contoso.com' }));
    const links = [...page.matchAll(/<a class="sub ask" href="([^"]+)"/g)].map((m) =>
      (m[1] ?? '').replace(/&amp;/g, '&'),
    );
    expect(links).toHaveLength(FINDINGS.length);
    const first = new URL(links[0] as string);
    expect(first.protocol).toBe('mailto:');
    expect(first.pathname).toBe('platform@contoso.com');
    const body = first.searchParams.get('body') ?? '';
    expect(body).toContain(`Resource: ${FINDINGS[0]?.resourceId}`);
    expect(body).toContain('Rule: classic/vm-endpoint-acl');
    expect(render()).not.toContain('class="sub ask"');
  });

  it('lists what the last scan resolved', () => {
    const page = render();
    const table = element(page, 'table', 'resolved-table');
    expect(count(table, /<tr\b/)).toBe(3);
    expect(textOf(table)).toContain('vm-fixed');
    expect(textOf(table)).toContain('2026-11-26 07:59 UTC');
  });

  it('is accessible: landmarks, one h1, headings in order, captions, unique ids, labelled charts', () => {
    const page = render();
    for (const landmark of ['<header', '<nav', '<main', '<footer'])
      expect(page).toContain(landmark);
    const levels = [...page.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    levels.forEach((level, i) => {
      if (i > 0) expect(level).toBeLessThanOrEqual((levels[i - 1] as number) + 1);
    });
    expect(count(page, /<table\b/)).toBe(count(page, /<caption\b/));
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, refs] of page.matchAll(/aria-(?:labelledby|describedby)="([^"]+)"/g)) {
      for (const ref of (refs ?? '').split(' ')) expect(ids).toContain(ref);
    }
    for (const [, href] of page.matchAll(/href="#([^"]+)"/g)) expect(ids).toContain(href);
    expect(page).toContain(':focus-visible');
    expect(page).toContain('.table-wrap { overflow-x: auto;');
    expect(page).not.toMatch(/\sstyle="/);
  });

  it('renders the empty state when nothing was scanned yet', () => {
    const page = render(emptyDashboard());
    const text = textOf(page);
    expect(page).toContain('<span class="status status-none">no scan yet</span>');
    expect(text).toContain('No scan yet');
    expect(text).toContain('POST /api/scans');
    expect(page).not.toContain('id="findings-table"');
    expect(page).not.toContain('<svg');
    expect(count(page, /<script\b/)).toBe(1);
    const levels = [...page.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
    expect(levels).toEqual([1, 2, 2]);
  });

  it('renders a clean scan: no findings, no blockers, no resolved', () => {
    const base = dashboardFixture();
    const page = render(
      dashboardFixture({
        status: {
          ...base.status,
          lastScan: base.status.lastScan && {
            ...base.status.lastScan,
            status: 'succeeded',
            subscriptionsComplete: 5,
            incomplete: [],
            incompleteTotal: 0,
          },
          findings: {
            open: 0,
            exempted: 0,
            bySeverity: { blocker: 0, warning: 0, info: 0 },
            byRule: {},
          },
          deadlines: {
            byUrgency: { overdue: 0, 'due-7': 0, 'due-30': 0, 'due-90': 0, 'due-180': 0, later: 0 },
            rules: [],
          },
          changes: { previousScanId: null, new: 0, resolved: 0, reopened: 0 },
          freshness: {
            lastSucceededAt: '2026-11-26T07:59:42.000Z',
            ageSeconds: 18,
            staleAfterSeconds: 43_200,
            stale: false,
          },
        },
        subscriptions: [],
        findings: [],
        findingsTotal: 0,
        resolved: [],
        trend: [],
      }),
    );
    const text = textOf(page);
    expect(page).toContain('<span class="status status-succeeded">succeeded</span>');
    expect(text).toContain('No open blockers');
    expect(text).toContain('No open findings');
    expect(text).toContain('No open finding is affected by a retirement');
    expect(text).toContain('Nothing was resolved by the last scan');
    expect(text).toContain('This is the first scan');
    expect(text).toContain('0 new in this first scan');
    expect(text).not.toContain('out of date');
    expect(text).not.toContain('exempted');
    expect(page).not.toContain('id="findings-table"');
    expect(page).not.toMatch(/<button[^>]*data-show-state/);
  });

  it('shows why a failed scan failed', () => {
    const base = dashboardFixture();
    const page = render(
      dashboardFixture({
        status: {
          ...base.status,
          lastScan: base.status.lastScan && {
            ...base.status.lastScan,
            status: 'failed',
            error: `Resource Graph said ${HOSTILE_SCRIPT}`,
          },
        },
      }),
    );
    expect(page).toContain('<span class="status status-failed">failed</span>');
    expect(textOf(page)).toContain('The last scan failed: Resource Graph said');
    expect(page).toContain('Resource Graph said &lt;script&gt;');
    expect(textOf(page)).toContain('the last successful scan ended 2026-11-25 08:01 UTC');
  });
});

describe('exemptions on the dashboard', () => {
  it('lists exemptions and their audit trail, hostile justifications inert', () => {
    const page = render({
      ...dashboardFixture(),
      exemptions: [
        {
          id: '11111111-2222-4333-8444-555555555555',
          scope: 'tag env=<script>alert(1)</script>',
          rule: 'classic/',
          expiresOn: '2027-01-31',
          state: 'active',
          stale: true,
          matchedFindings: 0,
          justification: '"quotes" & <b>bold</b> accepted',
          createdBy: 'lead@contoso.com',
        },
      ],
      audit: [
        {
          at: '2026-11-26T10:00:00Z',
          who: '<img src=x>',
          action: 'create',
          exemptionId: '11111111-2222-4333-8444-555555555555',
        },
      ],
    });
    expect(page).toContain('<h2 id="exemptions-h">Exemptions</h2>');
    expect(page).toContain('active (stale)');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;quotes&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page).not.toContain('<img src=x>');
    expect(page).toMatch(/created exemption <code>11111111-2222-4333-8444-555555555555<\/code>/);
  });
});

describe('refused addresses and audited contact changes (issue 19)', () => {
  it('lists refused addresses with the tag to fix, escaped, and marks self-declared changes', () => {
    const base = dashboardFixture();
    const page = render({
      ...base,
      status: {
        ...base.status,
        refusedRecipients: [
          {
            address: 'someone@outside.example',
            why: 'outside the allowed domains',
            where: `tag ${HOSTILE_SCRIPT} on /subscriptions/x/resourceGroups/rg`,
            findings: 3,
          },
        ],
        refusedRecipientsTotal: 7,
      },
      audit: [
        {
          at: '2026-11-26T10:00:00Z',
          who: 'ops@contoso.com',
          selfDeclared: true,
          action: 'contacts',
          subscriptionId: '00000000-0000-0000-0000-000000000001',
        },
      ],
    });
    const table = element(page, 'table', 'refused-table');
    expect(table).toContain('someone@outside.example');
    expect(table).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE_SCRIPT);
    expect(page).toMatch(/7 refused addresses \(first 1\)/);
    expect(page).toMatch(
      /ops@contoso\.com \(self-declared\) set the contacts of subscription <code>00000000-0000-0000-0000-000000000001<\/code>/,
    );
  });

  it('shows no refused section when nothing was refused', () => {
    expect(render()).not.toContain('refused-h');
  });
});
