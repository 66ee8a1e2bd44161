// Issue 21: the dashboard's owner's view — filters from the URL, findings paged server-side on the API's signed
// continuation, and a page that stays small for a tenant of 200,000 findings.
import { describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardFilters } from '../../src/app/dashboard.js';
import { InvalidTokenError } from '../../src/app/query-findings.js';
import { metaOf } from '../../src/rules/define-rule.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { renderDashboard } from '../../src/views/dashboard.js';
import { memoryStore } from '../support/memory-store.js';
import { NOW, ownerOf, subscriptionId, tenantFindings } from './tenant-findings.js';

const KEY = 'a-continuation-token-key-of-32-characters-or-more';
const NONCE = 'r4nd0mN0nce+/AbCdEfGh==';

function viewUrl(filters: DashboardFilters, continuationToken?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined) q.set(k, String(v));
  if (continuationToken) q.set('continuationToken', continuationToken);
  const s = q.toString();
  return `/api/dashboard${s ? `?${s}` : ''}`;
}

async function build(
  data: ReturnType<typeof tenantFindings>,
  filters: DashboardFilters = {},
  continuationToken?: string,
  pageSize = 50,
) {
  return buildDashboard({
    store: memoryStore(data.findings, data.subscriptions),
    summary: data.summary,
    rules: DEFAULT_CATALOG.map(metaOf),
    now: NOW,
    ruleDocUrl: (id) => `/api/rules/${id}?format=html`,
    csvUrl: '/api/findings?format=csv',
    filters,
    pageSize,
    continuationToken,
    tokenKey: KEY,
    viewUrl,
    platformContact: 'platform-team@contoso.com',
  });
}

function tokenOf(url: string | undefined): string {
  const token = new URL(url ?? '', 'http://x').searchParams.get('continuationToken');
  expect(token, `a continuationToken in ${url}`).toBeTruthy();
  return token as string;
}

describe('the findings table pages server-side', () => {
  const data = tenantFindings(300, 7);

  it('shows one page, most serious first, with a next link carrying the signed continuation', async () => {
    const first = await build(data);
    expect(first.findings).toHaveLength(50);
    expect(first.page.size).toBe(50);
    expect(first.findings.every((f) => f.severity === 'blocker')).toBe(true);
    const seen = new Set(first.findings.map((f) => f.resourceId));
    let model = first;
    let pages = 1;
    while (model.page.nextUrl) {
      model = await build(data, {}, tokenOf(model.page.nextUrl));
      expect(model.page.firstUrl).toBe('/api/dashboard');
      for (const f of model.findings) {
        expect(seen.has(f.resourceId), f.resourceId).toBe(false);
        seen.add(f.resourceId);
      }
      pages += 1;
    }
    // Every open (not exempted) finding once, blockers, then warnings, then info.
    expect(seen.size).toBe(data.summary.totals.open);
    expect(pages).toBe(Math.ceil(data.summary.totals.open / 50));
    expect(model.findings.at(-1)?.severity).toBe('info');
  });

  it('refuses a continuation issued for other filters or forged', async () => {
    const first = await build(data);
    const token = tokenOf(first.page.nextUrl);
    await expect(build(data, { severity: 'warning' }, token)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    await expect(build(data, {}, `${token}x`)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('filters from the URL', () => {
  const data = tenantFindings(400, 9);

  it("owner: only that owner's findings, and links keep the filter", async () => {
    const owner = ownerOf(3).toUpperCase();
    const model = await build(data, { owner });
    expect(model.findings.length).toBeGreaterThan(0);
    for (const f of model.findings) expect(f.owners.toLowerCase()).toContain(ownerOf(3));
    expect(model.filters).toEqual({ owner });
    if (model.page.nextUrl)
      expect(model.page.nextUrl).toContain(`owner=${encodeURIComponent(owner)}`);
  });

  it('subscription, severity, rule, status and service each narrow the table', async () => {
    const sub = subscriptionId(2);
    const bySub = await build(data, { subscription: sub });
    expect(new Set(bySub.findings.map((f) => f.subscriptionId))).toEqual(new Set([sub]));
    const warnings = await build(data, { severity: 'warning' });
    expect(new Set(warnings.findings.map((f) => f.severity))).toEqual(new Set(['warning']));
    expect(warnings.findingsTotal).toBe(data.summary.totals.bySeverity.warning);
    const rule = await build(data, { rule: 'classic/vnet-peered' });
    expect(new Set(rule.findings.map((f) => f.ruleId))).toEqual(new Set(['classic/vnet-peered']));
    expect(rule.findingsTotal).toBe(data.summary.totals.byRule['classic/vnet-peered']);
    const exempted = await build(data, { status: 'exempted' });
    expect(exempted.findings.length).toBeGreaterThan(0);
    for (const f of exempted.findings) expect(f.exemptedUntil).toBe('2027-01-31');
    const service = await build(data, { service: 'Cloud Services' });
    expect(new Set(service.findings.map((f) => f.ruleId))).toEqual(
      new Set(['retirement/cloud-services-extended-support']),
    );
  });

  it('every finding says why its owner is its owner', async () => {
    const model = await build(data);
    for (const f of model.findings) expect(f.ownerReason).toBe('tag owner on the resource');
  });
});

describe('a tenant of 200,000 findings', () => {
  it('renders a page under 500 KB, with a next page', async () => {
    const data = tenantFindings(200_000, 2_000);
    const model = await build(data);
    const page = renderDashboard(model, { nonce: NONCE });
    const bytes = Buffer.byteLength(page, 'utf8');
    expect(bytes).toBeLessThan(500 * 1024);
    expect(model.findings).toHaveLength(50);
    expect(page).toContain('rel="next"');
    const owner = await build(data, { owner: ownerOf(5) });
    const ownerPage = renderDashboard(owner, { nonce: NONCE });
    expect(Buffer.byteLength(ownerPage, 'utf8')).toBeLessThan(500 * 1024);
    expect(owner.findings.length).toBeGreaterThan(0);
    expect(owner.findings[0]?.severity).toBe('blocker');
  });
});
