// The digest e-mail: subject wording, mail-client-safe HTML, escaping, rule doc links, caps, plain text.
import { describe, expect, it } from 'vitest';
import { HOSTILE_MARKUP, HOSTILE_SCRIPT } from '../../dev/tenants/demo.js';
import type { Digest, DigestItem, DigestSummary } from '../../src/core/digest.js';
import type { RuleMeta } from '../../src/rules/define-rule.js';
import {
  digestSubject,
  MAX_SUBJECT_LENGTH,
  renderDigestEmail,
  wrapText,
} from '../../src/views/digest-email.js';

const NOW = new Date('2026-11-26T00:00:00Z');
const SUB = '3f2a7c1e-5b8d-4e6a-9f10-2c4d6e8a0b11';
const DASHBOARD = 'https://readiness.contoso.example/api/dashboard';
const docUrl = (id: string) => `https://readiness.contoso.example/api/rules/${id}?format=html`;

function rule(
  id: string,
  title: string,
  severity: RuleMeta['severity'],
  deadline?: string,
): RuleMeta {
  return {
    id,
    title,
    severity,
    appliesTo: ['microsoft.classiccompute/virtualmachines'],
    uses: [],
    recommendation: `Recommendation for ${title}.`,
    links: [],
    manual: false,
    typeOnly: false,
    deadline,
    doc: `docs/rules/${id}.md`,
  };
}

const RULES: RuleMeta[] = [
  rule('classic/vm-endpoint-acl', 'VM endpoint has an ACL', 'blocker'),
  rule('classic/vm-backup-extension', 'VM has the backup extension', 'warning'),
  rule('retirement/classic-vm', 'Classic VMs retire', 'blocker', '2026-12-20'),
  rule('classic/vm-outside-vnet', 'VM outside a VNet', 'blocker'),
];

let serial = 0;
function item(overrides: Partial<DigestItem> = {}): DigestItem {
  serial++;
  const ruleId = overrides.ruleId ?? 'classic/vm-endpoint-acl';
  const resourceId = `/subscriptions/${SUB}/resourceGroups/cs-core/providers/Microsoft.ClassicCompute/virtualMachines/vm-${serial}`;
  return {
    kind: 'new',
    key: `${ruleId}|${resourceId.toLowerCase()}`,
    ruleId,
    severity: 'blocker',
    resourceId,
    resourceName: `vm-${serial}`,
    resourceType: 'microsoft.classiccompute/virtualmachines',
    subscriptionId: SUB,
    subscriptionName: 'Contoso Classic Apps',
    resourceGroup: 'cs-core',
    message: `Finding message ${serial}`,
    reason: 'tag owner on the resource',
    ...overrides,
  };
}

function summary(partial: Partial<DigestSummary>): DigestSummary {
  return { newBlockers: 0, newWarnings: 0, deadlines: {}, resolved: 0, ...partial };
}

function render(digest: Digest, maxItemsPerGroup?: number) {
  return renderDigestEmail(digest, {
    rules: RULES,
    dashboardUrl: DASHBOARD,
    ruleDocUrl: docUrl,
    now: NOW,
    ...(maxItemsPerGroup ? { maxItemsPerGroup } : {}),
  });
}

describe('digest subject', () => {
  it('says what changed, counts first, most serious first', () => {
    expect(
      digestSubject(
        summary({ newBlockers: 3, newWarnings: 12, deadlines: { 'due-30': 1 }, resolved: 2 }),
      ),
    ).toBe(
      '[Azure readiness] 3 new migration blockers, 12 new warnings, 1 deadline now in 30 days, 2 resolved',
    );
  });

  it('gets singular and plural right', () => {
    expect(digestSubject(summary({ newBlockers: 1, newWarnings: 1 }))).toBe(
      '[Azure readiness] 1 new migration blocker, 1 new warning',
    );
    expect(digestSubject(summary({ newWarnings: 2 }))).toBe('[Azure readiness] 2 new warnings');
    expect(digestSubject(summary({ resolved: 1 }))).toBe('[Azure readiness] 1 resolved');
  });

  it('phrases deadline stages, the most urgent first', () => {
    expect(digestSubject(summary({ deadlines: { 'due-90': 4, overdue: 2, 'due-7': 1 } }))).toBe(
      '[Azure readiness] 2 deadlines now overdue, 1 deadline now in 7 days, 4 deadlines now in 90 days',
    );
    expect(digestSubject(summary({ deadlines: { 'due-180': 1 } }))).toBe(
      '[Azure readiness] 1 deadline now in 180 days',
    );
    // Too many stages for one line: summed up, naming the most urgent.
    expect(
      digestSubject(
        summary({
          newBlockers: 1,
          deadlines: { 'due-90': 4, overdue: 2, 'due-7': 1, 'due-180': 1 },
        }),
      ),
    ).toBe('[Azure readiness] 1 new migration blocker, 8 deadlines closer (2 now overdue)');
  });

  it('stays short, ending in "and more" when it must', () => {
    const subject = digestSubject(
      summary({
        newBlockers: 123456,
        newWarnings: 234567,
        deadlines: {
          overdue: 3456,
          'due-7': 4567,
          'due-30': 5678,
          'due-90': 6789,
          'due-180': 7890,
        },
        resolved: 98765,
      }),
    );
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toBe(
      '[Azure readiness] 123456 new migration blockers, 234567 new warnings, and more',
    );
  });

  it('says when nothing changed', () => {
    expect(digestSubject(summary({}))).toBe('[Azure readiness] No changes');
  });

  it('holds only counts: no tenant string reaches the subject', () => {
    const digest: Digest = {
      recipient: 'a@contoso.com',
      items: [item({ resourceName: 'evil\r\nBcc: x@evil.example', message: 'x\r\nBcc: y' })],
    };
    expect(render(digest).subject).toBe('[Azure readiness] 1 new migration blocker');
  });
});

describe('digest HTML', () => {
  const hostile: Digest = {
    recipient: 'alice@contoso.com',
    items: [
      item({
        resourceName: HOSTILE_SCRIPT,
        reason: HOSTILE_SCRIPT,
        subscriptionName: HOSTILE_SCRIPT,
      }),
      item({
        resourceName: HOSTILE_MARKUP,
        resourceGroup: HOSTILE_MARKUP,
        message: HOSTILE_MARKUP,
        reason: HOSTILE_MARKUP,
        subscriptionName: HOSTILE_MARKUP,
      }),
      item({ ruleId: 'classic/vm-backup-extension', severity: 'warning' }),
      item({
        kind: 'deadline',
        ruleId: 'retirement/classic-vm',
        deadline: '2026-12-20',
        urgency: 'due-30',
        previousUrgency: 'due-90',
      }),
      item({ kind: 'resolved', ruleId: 'classic/vm-outside-vnet', resourceName: 'vm-fixed' }),
    ],
  };

  it('is mail-client safe: no scripts, images, remote resources or style blocks', () => {
    const { html } = render(hostile);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/src=/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/<iframe|<object|<embed|<form/i);
    expect(html).toMatch(/max-width:640px/);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    // Every link goes to the dashboard or a rule doc.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs)
      expect(href).toMatch(/^https:\/\/readiness\.contoso\.example\/api\/(dashboard|rules\/)/);
  });

  it('escapes every tenant-controlled string', () => {
    const { html } = render(hostile);
    expect(html).not.toContain(HOSTILE_SCRIPT);
    expect(html).not.toContain(HOSTILE_MARKUP);
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quotes&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('has the sections, grouped by rule, each rule linking to its doc', () => {
    const { html } = render(hostile);
    const order = ['New blockers', 'New warnings', 'Deadlines closer', 'Resolved \u2014 good news'];
    const at = order.map((title) => html.indexOf(title));
    for (const i of at) expect(i).toBeGreaterThan(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const r of RULES) {
      expect(html).toContain(`href="${docUrl(r.id).replace(/&/g, '&amp;')}"`);
      expect(html).toContain(r.title);
    }
    expect(html).toContain('For <strong>alice@contoso.com</strong>, as of 26 November 2026');
    expect(html).toContain('Recommendation for VM endpoint has an ACL.');
    // Resolved groups do not repeat the recommendation.
    expect(html).not.toContain('Recommendation for VM outside a VNet.');
    expect(html).toContain('2026-12-20, in 24 days (due within 30 days); was due within 90 days');
    expect(html).toContain(`href="${DASHBOARD}"`);
    expect(html).toMatch(/ask the platform team for an exemption/);
  });

  it('shows a file path as text when the doc is not a web link', () => {
    const { html, text } = renderDigestEmail(
      { recipient: 'a@contoso.com', items: [item()] },
      { rules: RULES, ruleDocUrl: (id) => `docs/rules/${id}.md`, now: NOW },
    );
    expect(html).not.toMatch(/href=/);
    expect(html).toContain('docs/rules/classic/vm-endpoint-acl.md');
    expect(text).toContain('Doc: docs/rules/classic/vm-endpoint-acl.md');
  });

  it("caps each rule group, pointing at the owner's view of that rule for the rest", () => {
    const many: Digest = {
      recipient: 'render-team@contoso.com',
      items: Array.from({ length: 30 }, () => item()),
    };
    const { html, text } = render(many, 10);
    expect(html).toContain('and 20 more \u2014 see the dashboard');
    const view = `${DASHBOARD}?owner=render-team%40contoso.com&rule=classic%2Fvm-endpoint-acl`;
    expect(html).toContain(`<a href="${view.replace(/&/g, '&amp;')}"`);
    expect(html).toMatch(/>and 20 more/);
    const shown = many.items.slice(0, 10).map((i) => i.resourceName);
    const hidden = many.items.slice(10).map((i) => i.resourceName);
    for (const name of shown) expect(html).toContain(`<strong>${name}</strong>`);
    for (const name of hidden) expect(html).not.toContain(`<strong>${name}</strong>`);
    expect(text).toContain(`and 20 more \u2014 see the dashboard: ${view}`);
    // The default cap is 25.
    expect(render(many).html).toContain('and 5 more');
  });
});

describe('digest plain text', () => {
  it('carries the same resources, reasons and links, without control characters', () => {
    const items = [
      item({ resourceName: 'vm-\u001b[31mred\u0007', reason: 'tag OwnerEmail on the resource' }),
      item({ ruleId: 'classic/vm-backup-extension', severity: 'warning', resourceGroup: 'rg-x' }),
      item({
        kind: 'deadline',
        ruleId: 'retirement/classic-vm',
        deadline: '2026-11-20',
        urgency: 'overdue',
        previousUrgency: 'due-7',
      }),
    ];
    const digest: Digest = { recipient: 'bob@contoso.com', items };
    const { text, html } = render(digest);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toContain('vm-[31mred');
    for (const i of items.slice(1)) expect(text).toContain(i.resourceName);
    expect(text).toContain('Why you: tag OwnerEmail on the resource');
    expect(text).toContain(
      '      Resource group: rg-x\n      Subscription: Contoso Classic Apps\n',
    );
    expect(text).toContain('Deadline: overdue since 2026-11-20 (6 days); was due within 7 days');
    expect(text).toContain('NEW BLOCKERS (1)');
    expect(text).toContain('NEW WARNINGS (1)');
    expect(text).toContain('DEADLINES CLOSER (1)');
    for (const id of [
      'classic/vm-endpoint-acl',
      'classic/vm-backup-extension',
      'retirement/classic-vm',
    ])
      expect(text).toContain(`Doc: ${docUrl(id)}`);
    expect(text).toContain(`Dashboard: ${DASHBOARD}`);
    expect(text).toContain('For bob@contoso.com, as of 26 November 2026 (UTC).');
    // The HTML has the same resources.
    for (const i of items.slice(1)) expect(html).toContain(i.resourceName);
    // Lines are wrapped, except unbreakable words such as URLs.
    for (const line of text.split('\n')) if (line.length > 76) expect(line).toMatch(/\S{40,}/);
  });

  it('wraps on spaces and keeps long words whole', () => {
    expect(wrapText('aaa bbb ccc ddd', 8, '  ', '* ')).toEqual([
      '* aaa',
      '  bbb',
      '  ccc',
      '  ddd',
    ]);
    expect(wrapText('x https://example.com/a/very/long/path y', 10)).toEqual([
      'x',
      'https://example.com/a/very/long/path',
      'y',
    ]);
  });
});

describe('retirements in a digest', () => {
  const SANDBOX = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c44';
  const data = (id: string, service: string, date: string, link: string): RuleMeta => ({
    ...rule(id, `${service}: something retires`, 'warning', date),
    appliesTo: [],
    links: [link],
    retirement: { service, feature: 'something', origin: 'Automated', link },
  });
  const rules = [
    ...RULES,
    data('retirement/network-basic-lb', 'Network', '2025-09-30', 'https://learn.microsoft.com/lb'),
    data('retirement/cache-redis-4', 'Cache', '2026-06-30', 'https://learn.microsoft.com/redis'),
    data('retirement/compute-disks', 'Compute', '2025-09-30', 'https://learn.microsoft.com/disks'),
  ];
  const retiring = (ruleId: string, deadline: string) =>
    item({ ruleId, severity: 'warning', deadline, urgency: 'overdue' });

  it("groups retirements by date, then service, each with Microsoft's link", () => {
    const digest: Digest = {
      recipient: 'owner@contoso.com',
      items: [
        retiring('retirement/cache-redis-4', '2026-06-30'),
        retiring('retirement/network-basic-lb', '2025-09-30'),
        item(),
        retiring('retirement/compute-disks', '2025-09-30'),
      ],
    };
    const mail = renderDigestEmail(digest, { rules, ruleDocUrl: docUrl, now: NOW });
    const order = ['compute-disks', 'network-basic-lb', 'cache-redis-4'].map((n) =>
      mail.text.indexOf(`[retirement/${n}]`),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(mail.text.indexOf('[classic/vm-endpoint-acl]')).toBeLessThan(order[0]!);
    expect(mail.text).toContain('Retires 2025-09-30 - Network');
    expect(mail.text).toContain('https://learn.microsoft.com/lb');
    expect(mail.html).toContain('href="https://learn.microsoft.com/redis"');
  });

  it('says a subscription-level notice is announced for the subscription', () => {
    const digest: Digest = {
      recipient: 'sandbox-admins@contoso.com',
      items: [
        item({
          ruleId: 'retirement/health-zk3n-8rt',
          severity: 'warning',
          resourceId: `/subscriptions/${SANDBOX}`,
          resourceName: SANDBOX,
          resourceType: 'microsoft.resources/subscriptions',
          resourceGroup: '',
          deadline: '2026-11-10',
          urgency: 'overdue',
          message:
            'Announced for your subscription: In-process model ends (Service Health ZK3N-8RT, 2026-11-10).',
        }),
      ],
    };
    const mail = renderDigestEmail(digest, { rules, ruleDocUrl: docUrl, now: NOW });
    expect(mail.html).toContain('Announced for your subscription');
    expect(mail.text).toContain('Retires 2026-11-10');
  });
});

describe("the owner's links (issue 21)", () => {
  const recipient = 'alice+ops@contoso.com';
  const digest: Digest = {
    recipient,
    open: 401,
    items: [item(), item({ kind: 'resolved' })],
  };
  const email = renderDigestEmail(digest, {
    rules: RULES,
    dashboardUrl: `${DASHBOARD}?code=k3y`,
    ruleDocUrl: docUrl,
    now: NOW,
    platformContact: 'platform-team@contoso.com',
  });
  const hrefs = [...email.html.matchAll(/<a href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: (m[1] ?? '').replace(/&amp;/g, '&'),
    text: (m[2] ?? '').replace(/<[^>]+>/g, ''),
  }));

  it("links to the recipient's own view: your N findings", () => {
    const own = `${DASHBOARD}?code=k3y&owner=${encodeURIComponent(recipient)}`;
    expect(hrefs).toContainEqual({ href: own, text: 'your 401 open findings' });
    expect(email.text).toContain(`Your 401 open findings: ${own}`);
  });

  it('links each finding to its rule page', () => {
    expect(
      hrefs.filter((h) => h.href === docUrl('classic/vm-endpoint-acl')).length,
    ).toBeGreaterThan(0);
  });

  it('links each open finding to a pre-filled exemption request to the platform contact', () => {
    const asks = hrefs.filter((h) => h.href.startsWith('mailto:'));
    // One for the new finding (not for the resolved one), one in the footer.
    expect(asks.map((a) => a.text)).toEqual([
      'Ask the platform team for an exemption',
      'ask the platform team for an exemption',
    ]);
    const first = new URL(asks[0]?.href ?? '');
    expect(first.pathname).toBe('platform-team@contoso.com');
    expect(first.searchParams.get('body')).toContain(`Resource: ${digest.items[0]?.resourceId}`);
    expect(first.searchParams.get('body')).toContain(`Requested by: ${recipient}`);
    expect(email.text).toContain('platform-team@contoso.com');
  });
});
