// HTTP API handlers over a real store (Azurite) holding a real scan of the demo tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIPTION, DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { getFindings } from '../../src/functions/get-findings.js';
import { getRule, getRules } from '../../src/functions/get-rules.js';
import { getStatus, getSubscriptionStatus } from '../../src/functions/get-status.js';
import { health } from '../../src/functions/health.js';
import { startScan } from '../../src/functions/start-scan.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { body, context, request, through } from '../support/http.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  await stack.scan();
  setServices(createServices(loadConfig(stack.env()), silentLogger));
});
afterAll(async () => {
  setServices(undefined);
  await stack?.stop();
});

const findings = (query: string) =>
  through(getFindings(request(`/api/findings${query}`), context()));

describe('GET /api/health and /api/status', () => {
  it('health is ok', async () => {
    const response = await through(health(request('/api/health'), context()));
    expect(response.status).toBe(200);
    expect(body(response)).toMatchObject({ status: 'ok' });
  });

  it('status reports the last scan, counts and deadlines, with sensible headers', async () => {
    const response = await through(getStatus(request('/api/status'), context()));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/application\/json/);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const status = body(response);
    expect(status.lastScan.status).toBe('succeeded');
    expect(status.findings.bySeverity.blocker).toBeGreaterThan(0);
    expect(status.deadlines.byUrgency.overdue).toBeGreaterThan(0);
    expect(status.changes.new).toBe(status.findings.open);
  });

  it('subscription status: 200 for a scanned one, 404 for an unknown one, 400 for a non-GUID', async () => {
    const ok = await through(
      getSubscriptionStatus(
        request('/api/status/subscriptions/x', {
          params: { subscriptionId: DEMO_SUBSCRIPTION.classicApps.toUpperCase() },
        }),
        context(),
      ),
    );
    expect(ok.status).toBe(200);
    expect(body(ok).subscription).toMatchObject({
      subscriptionId: DEMO_SUBSCRIPTION.classicApps,
      outcome: 'complete',
    });
    const missing = await through(
      getSubscriptionStatus(
        request('/', { params: { subscriptionId: '99999999-9999-9999-9999-999999999999' } }),
        context(),
      ),
    );
    expect(missing.status).toBe(404);
    const bad = await through(
      getSubscriptionStatus(
        request('/', { params: { subscriptionId: "x' or 1 eq 1" } }),
        context(),
      ),
    );
    expect(bad.status).toBe(400);
    expect(body(bad).error.message).toMatch(/subscriptionId/);
  });
});

describe('GET /api/findings', () => {
  it('pages through every open finding with an opaque continuation token', async () => {
    const total = body(await through(getStatus(request('/api/status'), context()))).findings
      .open as number;
    const seen = new Set<string>();
    let token: string | null = null;
    let pages = 0;
    do {
      const response = await findings(
        `?top=200${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(response.status).toBe(200);
      const page = body(response);
      for (const f of page.items) seen.add(`${f.ruleId}|${f.resourceId}`);
      token = page.continuationToken;
      pages++;
    } while (token && pages < 50);
    expect(seen.size).toBe(total);
    expect(pages).toBeGreaterThan(1);
  });

  it('filters by subscription, severity, rule, resource group and owner, each item with its state', async () => {
    const bySub = body(await findings(`?subscriptionId=${DEMO_SUBSCRIPTION.classicApps}&top=1000`));
    expect(bySub.items.length).toBeGreaterThan(0);
    expect(
      bySub.items.every(
        (f: { subscriptionId: string }) => f.subscriptionId === DEMO_SUBSCRIPTION.classicApps,
      ),
    ).toBe(true);
    expect(bySub.items[0]).toMatchObject({ state: 'new', status: 'open' });

    const blockers = body(await findings('?severity=blocker&top=1000'));
    expect(blockers.items.length).toBeGreaterThan(0);
    expect(blockers.items.every((f: { severity: string }) => f.severity === 'blocker')).toBe(true);

    const rule = body(await findings('?ruleId=classic/vm-endpoint-acl'));
    expect(rule.items).toHaveLength(1);
    const group = rule.items[0].resourceGroup as string;
    const byGroup = body(
      await findings(`?resourceGroup=${encodeURIComponent(group.toUpperCase())}&top=1000`),
    );
    expect(byGroup.items.length).toBeGreaterThan(0);
    expect(
      byGroup.items.every(
        (f: { resourceGroup: string }) => f.resourceGroup.toLowerCase() === group.toLowerCase(),
      ),
    ).toBe(true);

    const retirement = body(await findings('?ruleId=retirement/classic-vm&top=1'));
    expect(retirement.items[0]).toMatchObject({ deadline: '2023-09-06', urgency: 'overdue' });
    const none = body(await findings('?status=resolved'));
    expect(none.items).toEqual([]);
  });

  it('serves CSV', async () => {
    const response = await findings('?format=csv&severity=blocker&top=1000');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/text\/csv/);
    const lines = response.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^"?state"?,"?ruleId"?/);
    expect(lines.length).toBeGreaterThan(1);
  });

  it.each([
    ['?top=0', 'top'],
    ['?top=1001', 'top'],
    ['?top=ten', 'top'],
    ['?top=1.5', 'top'],
    ['?severity=critical', 'severity'],
    ['?subscriptionId=not-a-guid', 'subscriptionId'],
    ["?subscriptionId=' or 1 eq 1", 'subscriptionId'],
    ['?status=closed', 'status'],
    ['?format=xml', 'format'],
    ['?ruleId=classic/nope', 'ruleId'],
    ["?ruleId=classic/vm-endpoint-acl' or 'a' eq 'a", 'ruleId'],
    ['?owner=nobody', 'owner'],
    ['?colour=blue', 'colour'],
    ['?top=1&top=2', 'top'],
    ['?continuationToken=garbage', 'continuationToken'],
  ])('rejects %s with a 400 naming %s', async (query, name) => {
    const response = await findings(query);
    expect(response.status).toBe(400);
    const error = body(response).error;
    expect(error.code).toMatch(/Parameter/);
    expect(error.message).toContain(name);
    expect(response.body).not.toMatch(/at .*\.ts|stack/i);
  });

  it('keeps injection attempts inert: quotes and unicode are just values that match nothing', async () => {
    for (const query of [
      `?resourceGroup=${encodeURIComponent("' or 1 eq 1 or 'a' eq '")}`,
      `?resourceGroup=${encodeURIComponent("rg') or (PartitionKey ne '")}`,
      `?owner=${encodeURIComponent("a'or''='@b")}`,
      `?resourceGroup=${encodeURIComponent('rg-€-漢字-\u202e')}`,
    ]) {
      const response = await findings(query);
      expect(response.status, query).toBe(200);
      expect(body(response).items, query).toEqual([]);
    }
  });

  it('refuses a continuation token used with other filters', async () => {
    const first = body(await findings('?top=5'));
    expect(first.continuationToken).toBeTruthy();
    const response = await findings(
      `?top=5&severity=info&continuationToken=${encodeURIComponent(first.continuationToken)}`,
    );
    expect(response.status).toBe(400);
    expect(body(response).error.message).toMatch(/other filters/);
  });
});

describe('GET /api/rules', () => {
  it('lists the catalog and serves each rule doc as a page or as JSON', async () => {
    const list = body(await through(getRules(request('/api/rules'), context())));
    // The 34 rules of rules.md, then the data-defined retirements of the bundled Advisor catalog.
    expect(list.rules.length).toBe(DEFAULT_CATALOG.length);
    expect(list.rules.length).toBeGreaterThanOrEqual(44);
    const data = await through(
      getRule(
        request('/api/rules/retirement/network-basic-load-balancer?format=html', {
          params: { pack: 'retirement', name: 'network-basic-load-balancer' },
        }),
        context(),
      ),
    );
    expect(data.status).toBe(200);
    expect(data.body).toContain('2025-09-30');
    expect(data.body).toContain('Microsoft');
    const page = await through(
      getRule(
        request('/api/rules/classic/vm-endpoint-acl?format=html', {
          params: { pack: 'classic', name: 'vm-endpoint-acl' },
        }),
        context(),
      ),
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Security-Policy')).toMatch(/default-src 'none'/);
    expect(page.body).toContain('<h2>Recommendation</h2>');
    const asJson = body(
      await through(
        getRule(
          request('/api/rules/classic/vm-endpoint-acl', {
            params: { pack: 'classic', name: 'vm-endpoint-acl' },
          }),
          context(),
        ),
      ),
    );
    expect(asJson).toMatchObject({ id: 'classic/vm-endpoint-acl', severity: 'blocker' });
    expect(asJson.docMarkdown).toMatch(/## Synopsis/);
    const missing = await through(
      getRule(request('/', { params: { pack: 'classic', name: '<script>' } }), context()),
    );
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain('<script>');
  });
});

describe('POST /api/scans', () => {
  it('answers 202 with the scan id, and 409 while that scan runs', async () => {
    stack.graph.setFaults({ latencyMs: 300 });
    const first = await through(
      startScan(
        request('/api/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
        context(),
      ),
    );
    expect(first.status).toBe(202);
    const { scanId } = body(first);
    expect(scanId).toMatch(/^scan-/);
    const second = await through(
      startScan(
        request('/api/scans', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
        context(),
      ),
    );
    expect(second.status).toBe(409);
    expect(body(second).error.code).toBe('ScanAlreadyRunning');
    // Wait for the first to finish, then the status shows it.
    stack.graph.setFaults({});
    for (let i = 0; i < 100; i++) {
      const status = body(await through(getStatus(request('/api/status'), context())));
      if (status.lastScan.id === scanId && status.lastScan.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const status = body(await through(getStatus(request('/api/status'), context())));
    expect(status.lastScan).toMatchObject({ id: scanId, trigger: 'http', status: 'succeeded' });
    expect(status.lastScan.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length);
  });
});

describe('GET/PUT /api/contacts', () => {
  it('keeps the operator subscription → contacts list, validated', async () => {
    const { getContacts, putContacts } = await import('../../src/functions/contacts.js');
    const sub = DEMO_SUBSCRIPTION.platform;
    const put = await through(
      putContacts(
        request(`/api/contacts/${sub}?by=ops@contoso.com`, {
          method: 'PUT',
          params: { subscriptionId: sub },
          body: JSON.stringify({ emails: ['Ops@Contoso.com', 'ops@contoso.com'] }),
        }),
        context(),
      ),
    );
    expect(put.status).toBe(200);
    expect(body(put).emails).toEqual(['ops@contoso.com']);
    const list = body(await through(getContacts(request('/api/contacts'), context())));
    expect(list.contacts).toContainEqual({ subscriptionId: sub, emails: ['ops@contoso.com'] });
    const bad = await through(
      putContacts(
        request('/?by=ops@contoso.com', {
          method: 'PUT',
          params: { subscriptionId: sub },
          body: JSON.stringify({ emails: ['not an address'] }),
        }),
        context(),
      ),
    );
    expect(bad.status).toBe(400);
    expect(body(bad).error.message).toMatch(/^emails\.0/);
    const notGuid = await through(
      putContacts(
        request('/', { method: 'PUT', params: { subscriptionId: 'x' }, body: '{}' }),
        context(),
      ),
    );
    expect(notGuid.status).toBe(400);
    const cleared = await through(
      putContacts(
        request('/?by=ops@contoso.com', {
          method: 'PUT',
          params: { subscriptionId: sub },
          body: JSON.stringify({ emails: [] }),
        }),
        context(),
      ),
    );
    expect(cleared.status).toBe(200);
    expect(body(await through(getContacts(request('/api/contacts'), context()))).contacts).toEqual(
      [],
    );
  });
});
