// Issue 21: GET /api/dashboard reads its view from the URL — owner, subscription, severity, rule, status, service —
// validated like the findings API (a 400 naming the parameter), and pages its findings table on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIPTION, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { getDashboard } from '../../src/functions/get-dashboard.js';
import { getFindings } from '../../src/functions/get-findings.js';
import { startStack, type Stack } from '../support/stack.js';
import { body, context, request, through } from '../support/http.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  // Owners as the app finds them: the owner tags, else the platform team.
  await stack.scan(undefined, {
    owners: {
      tagNames: ['owner', 'OwnerEmail', 'contact', 'createdBy'],
      defaultRecipients: ['platform-team@contoso.com'],
    },
  });
  setServices(
    createServices(
      loadConfig({ ...stack.env(), PLATFORM_CONTACT: 'platform-team@contoso.com' }),
      silentLogger,
    ),
  );
});
afterAll(async () => {
  setServices(undefined);
  await stack?.stop();
});

const dashboard = (query: string) =>
  through(getDashboard(request(`/api/dashboard${query}`), context()));

/** The href of every link whose text is exactly `text`. */
function hrefs(page: string, text: RegExp): string[] {
  return [...page.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a\s*>/g)]
    .filter((m) => text.test((m[2] ?? '').replace(/<[^>]+>/g, '').trim()))
    .map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
}

function rows(page: string): string[] {
  const table = /<tbody>([\s\S]*?)<\/tbody>/.exec(page.slice(page.indexOf('id="findings-table"')));
  // One finding per resource and rule.
  return [
    ...(table?.[1] ?? '').matchAll(
      /<tr data-severity="[^"]*" data-state="[^"]*" data-rule="([^"]+)">[\s\S]*?<th scope="row">\s*<span title="([^"]+)"/g,
    ),
  ].map((m) => `${m[2]} ${m[1]}`);
}

/** Every finding the findings API lists for a query, following its continuation. */
async function allFindings(
  query: string,
): Promise<{ resourceId: string; ruleId: string; owners: string[] }[]> {
  const out: { resourceId: string; ruleId: string; owners: string[] }[] = [];
  let token: string | null = null;
  do {
    const page = body(
      await through(
        getFindings(
          request(
            `/api/findings?top=1000${query}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
          ),
          context(),
        ),
      ),
    );
    out.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return out;
}

describe('GET /api/dashboard: the view from the URL', () => {
  it.each([
    ['owner', 'owner=not-an-address'],
    ['subscription', 'subscription=prod'],
    ['severity', 'severity=critical'],
    ['rule', 'rule=classic%2Fno-such-rule'],
    ['status', 'status=closed'],
    ['service', 'service=No%20such%20service'],
    ['top', 'top=0'],
    ['continuationToken', 'continuationToken=forged.token'],
    ['colour', 'colour=blue'],
  ])('answers 400 naming %s when it is wrong', async (name, query) => {
    const response = await dashboard(`?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(response.body).toContain(name);
    expect(response.body).toMatch(/<a href="\/api\/dashboard">/);
  });

  it("opens exactly the owner's view, shows the filter and a way to clear it", async () => {
    const owner = (await allFindings('')).flatMap((f) => f.owners)[0] as string;
    expect(owner).toBeTruthy();
    const mine = await allFindings(`&owner=${encodeURIComponent(owner)}`);
    const response = await dashboard(`?owner=${encodeURIComponent(owner)}&top=200`);
    expect(response.status).toBe(200);
    const page = response.body;
    expect(page).toContain('id="active-filters"');
    expect(page).toMatch(/Owner: <strong>[^<]*<\/strong>/);
    // Clearing the filters keeps the page size.
    expect(hrefs(page, /^Clear all filters$/)).toEqual(['/api/dashboard?top=200']);
    const listed = rows(page);
    const theirs = new Set(mine.map((f) => `${f.resourceId} ${f.ruleId}`));
    expect(listed.length).toBe(Math.min(200, theirs.size));
    for (const id of listed) expect(theirs.has(id), id).toBe(true);
    // Each finding says why its owner is its owner, and how to ask for an exemption.
    expect(page).toContain('why: ');
    expect(page).toContain('href="mailto:platform-team@contoso.com?subject=Exemption%20request');
  });

  it('narrows by subscription, severity and rule together, links keeping the function key', async () => {
    const sub = DEMO_SUBSCRIPTION.classicApps;
    const response = await dashboard(
      `?subscription=${sub}&severity=blocker&rule=classic%2Fvm-endpoint-acl&code=k3y`,
    );
    expect(response.status).toBe(200);
    const listed = rows(response.body);
    expect(listed.length).toBeGreaterThan(0);
    for (const id of listed) {
      expect(id.toLowerCase()).toContain(`/subscriptions/${sub}`);
      expect(id).toMatch(/ classic\/vm-endpoint-acl$/);
    }
    const clear = hrefs(response.body, /^Clear all filters$/);
    expect(clear).toEqual(['/api/dashboard?code=k3y']);
    // The CSV of the same view, from the findings API.
    expect(hrefs(response.body, /^Download as CSV$/)).toEqual([
      `/api/findings?format=csv&top=1000&subscriptionId=${sub}&severity=blocker&ruleId=classic%2Fvm-endpoint-acl&code=k3y`,
    ]);
  });

  it('pages the table on the server: a next link carries the continuation, every finding once', async () => {
    const open = await allFindings('');
    const seen = new Set<string>();
    let query = '?top=40';
    let pages = 0;
    for (;;) {
      const response = await dashboard(query);
      expect(response.status, response.body.slice(0, 300)).toBe(200);
      for (const id of rows(response.body)) {
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
      pages += 1;
      const next = hrefs(response.body, /^Next page$/)[0];
      if (!next) break;
      expect(next).toMatch(/continuationToken=/);
      expect(next).toMatch(/top=40/);
      query = next.slice(next.indexOf('?'));
      expect(pages).toBeLessThan(100);
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(open.length);
  });

  it('shows the migration plan the scan summarised per subscription (issue 20): the demo has 14 units, 7 ready', async () => {
    const records = await stack.store.loadSubscriptions();
    const units = records.reduce((sum, r) => sum + (r.plan?.units ?? 0), 0);
    const ready = records.reduce((sum, r) => sum + (r.plan?.ready ?? 0), 0);
    // The same plan as `readiness plan` on the demo export (README): units never span subscriptions.
    expect([units, ready]).toEqual([14, 7]);
    const page = (await dashboard('')).body;
    expect(page).toMatch(/<h2 id="plan-h">Migration plan<\/h2>/);
    const section = page.slice(
      page.indexOf('id="plan-h"'),
      page.indexOf('</section>', page.indexOf('id="plan-h"')),
    );
    expect(section.replace(/\s+/g, ' ')).toContain('14 units (7 ready, 7 blocked or waiting)');
    expect(section).toContain('vnet-core-classic');
    // Each blocked unit's rules open their findings in that subscription.
    expect(section).toMatch(/href="\/api\/dashboard\?subscription=[0-9a-f-]+&amp;rule=classic%2F/);
  });
});
