// The emulator as @azure/arm-resourcegraph 5.x sees it: paging, scopes, errors and the request contract.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../../dev/emulators/resource-graph/server.js';
import { syntheticTenant } from '../../../dev/tenants/synthetic.js';
import {
  API,
  clientFor,
  namedTenant,
  names,
  pageAll,
  query,
  raw,
  rejection,
  SUB_A,
  SUB_B,
  SUB_C,
} from './harness.js';

const CLASSIC_VMS =
  "resources | where type =~ 'microsoft.classiccompute/virtualmachines' | project id, name, subscriptionId | order by id asc";

describe('Resource Graph emulator through the SDK', () => {
  let emulator: RunningEmulator;
  let client: ResourceGraphClient;
  const big = syntheticTenant({ subscriptions: 6, resources: 3000, seed: 11 });

  beforeAll(async () => {
    // A quota the tests never hit: quota behaviour has its own tests.
    emulator = await startResourceGraphEmulator({
      tenant: namedTenant(),
      quota: { requests: 100_000, windowMs: 1000 },
    });
    client = clientFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.setTenant(namedTenant());
    emulator.setFaults({});
    emulator.resetStats();
  });

  it('serves the built-in role definitions of every subscription in authorizationresources', async () => {
    const { rows } = await pageAll(client, {
      subscriptions: [SUB_A, SUB_B],
      query:
        "authorizationresources | where type =~ 'microsoft.authorization/roledefinitions' | where name in~ ('ACDD72A7-3385-48EF-BD42-F606FBA81AE7') | project id, name, subscriptionId, properties | order by id asc",
    });
    expect(rows.map((r) => r.subscriptionId)).toEqual([SUB_A, SUB_B]);
    expect(rows[0]).toMatchObject({
      id: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/RoleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
      name: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
      properties: { roleName: 'Reader', type: 'BuiltInRole', assignableScopes: ['/'] },
    });
  });

  it('answers a basic query in the documented response shape over HTTPS', async () => {
    const { response } = await query(client, {
      subscriptions: [SUB_A],
      query: 'resources | project id, name, type | order by id asc',
    });
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(response.totalRecords).toBe(3);
    expect(response.count).toBe(3);
    expect(response.resultTruncated).toBe('false');
    expect(response.skipToken).toBeUndefined();
    expect(response.facets).toEqual([]);
    expect(names(response.data)).toEqual(['VM-Bravo', 'stcharlie', 'vm-alpha']);
    expect(emulator.requests[0]).toMatchObject({
      status: 200,
      subscriptions: [SUB_A],
      rows: 3,
      page: 0,
    });
  });

  it('pages with $skipToken: stable, complete, no duplicates, same totals on every page', async () => {
    emulator.setTenant(big);
    const expected = big.resources
      .filter((r) => String(r.type).toLowerCase() === 'microsoft.classiccompute/virtualmachines')
      .map((r) => String(r.id))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(expected.length).toBeGreaterThan(1000);
    const { rows, pages, totals } = await pageAll(client, {
      query: CLASSIC_VMS,
      options: { top: 250, resultFormat: 'objectArray' },
    });
    const ids = rows.map((r) => String(r.id));
    expect(pages).toBe(Math.ceil(expected.length / 250));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(new Set(totals)).toEqual(new Set([expected.length]));
    // The SDK sends $top only on the first page; the token carries the page size on.
    expect(emulator.requests.map((r) => r.page)).toEqual([...Array(pages).keys()]);
    expect(emulator.stats()).toMatchObject({
      requests: pages,
      served: pages,
      rows: expected.length,
    });
  });

  it('defaults to 100 rows a page and accepts $top up to 1000 only', async () => {
    emulator.setTenant(big);
    const first = await query(client, { query: CLASSIC_VMS });
    expect(first.response.count).toBe(100);
    expect(first.response.skipToken).toBeTypeOf('string');
    const max = await query(client, { query: CLASSIC_VMS, options: { top: 1000 } });
    expect(max.response.count).toBe(1000);
    const tooMany = await rejection(query(client, { query: CLASSIC_VMS, options: { top: 1001 } }));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.message).toMatch(/\$top/);
  });

  it('honours $skip, alone and with a token', async () => {
    const all = await query(client, {
      query: 'resources | order by id asc',
      options: { top: 1000 },
    });
    const skipped = await query(client, {
      query: 'resources | order by id asc',
      options: { top: 2, skip: 3 },
    });
    expect(names(skipped.response.data)).toEqual(names(all.response.data).slice(3, 5));
    const next = await query(client, {
      query: 'resources | order by id asc',
      options: { skipToken: skipped.response.skipToken },
    });
    expect(names(next.response.data)).toEqual(names(all.response.data).slice(5, 7));
  });

  it('scopes: subscriptions, management groups and the whole tenant', async () => {
    const q = 'resources | project id, name, subscriptionId | order by name asc';
    const bySubs = await query(client, { subscriptions: [SUB_B, SUB_C], query: q });
    expect(names(bySubs.response.data)).toEqual([
      'plan-foxtrot',
      'vm-echo',
      'vm-golf',
      'vnet-delta',
    ]);
    const byMg = await query(client, { managementGroups: ['mg-a'], query: q });
    expect(names(byMg.response.data)).toEqual([
      'VM-Bravo',
      'stcharlie',
      'vm-alpha',
      'vm-echo',
      'vnet-delta',
    ]);
    const byRoot = await query(client, { managementGroups: ['ROOT'], query: q });
    expect(byRoot.response.totalRecords).toBe(7);
    const tenant = await query(client, { query: q });
    expect(tenant.response.totalRecords).toBe(7);
    // Subscription ids are case-insensitive.
    const upper = await query(client, { subscriptions: [SUB_C.toUpperCase()], query: q });
    expect(names(upper.response.data)).toEqual(['plan-foxtrot', 'vm-golf']);
  });

  it('answers 403 AuthorizationFailed for an unknown or forbidden listed subscription, and hides forbidden ones elsewhere', async () => {
    const unknown = '99999999-0000-4000-8000-000000000999';
    const e1 = await rejection(
      query(client, { subscriptions: [SUB_A, unknown], query: 'resources' }),
    );
    expect(e1.statusCode).toBe(403);
    expect(e1.code).toBe('AuthorizationFailed');
    expect(e1.message).toContain(unknown);

    emulator.setFaults({ forbiddenSubscriptions: [SUB_B] });
    const e2 = await rejection(query(client, { subscriptions: [SUB_B], query: 'resources' }));
    expect(e2.statusCode).toBe(403);
    expect(e2.message).toContain(SUB_B);
    const tenant = await query(client, { query: 'resources | project id, subscriptionId' });
    expect(tenant.response.totalRecords).toBe(5);
    expect(
      (tenant.response.data as { subscriptionId: string }[]).some(
        (r) => r.subscriptionId === SUB_B,
      ),
    ).toBe(false);
    const mg = await query(client, { managementGroups: ['mg-a'], query: 'resources | project id' });
    expect(mg.response.totalRecords).toBe(3);
    const e3 = await rejection(
      query(client, { managementGroups: ['no-such-mg'], query: 'resources' }),
    );
    expect(e3.statusCode).toBe(403);
  });

  it('rejects unsupported KQL with 400 and a positioned ParserFailure detail', async () => {
    const error = await rejection(
      query(client, { query: 'Resources | summarize count() by type' }),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('BadRequest');
    expect(error.message).toMatch(/^Please provide below info when asking for support/);
    const details = error.details?.error?.details ?? [];
    expect(details.map((d) => d.code)).toEqual(['InvalidQuery', 'ParserFailure']);
    expect(details[1]?.message).toMatch(/summarize.*line 1, column 13/);
    expect(emulator.stats().failed).toBe(1);
  });

  it("answers a query Microsoft's analyser rejects with its diagnostic in the ParserFailure detail", async () => {
    const error = await rejection(query(client, { query: "resources\n| where Type =~ 'x'" }));
    expect(error.statusCode).toBe(400);
    const details = error.details?.error?.details ?? [];
    expect(details.map((d) => d.code)).toEqual(['InvalidQuery', 'ParserFailure']);
    expect(details[1]?.message).toMatch(
      /'Type' does not refer to any known column.*KS142.*line 2, column 9/,
    );
  });

  it('rejects a skip token that is malformed or belongs to another query or scope', async () => {
    const first = await query(client, {
      subscriptions: [SUB_A],
      query: 'resources | order by id asc',
      options: { top: 1 },
    });
    const token = first.response.skipToken;
    expect(token).toBeTypeOf('string');
    const otherQuery = await rejection(
      query(client, {
        subscriptions: [SUB_A],
        query: 'resources | order by id desc',
        options: { skipToken: token },
      }),
    );
    expect(otherQuery.statusCode).toBe(400);
    expect(otherQuery.details?.error?.details?.[0]?.code).toBe('InvalidSkipToken');
    const otherScope = await rejection(
      query(client, {
        subscriptions: [SUB_B],
        query: 'resources | order by id asc',
        options: { skipToken: token },
      }),
    );
    expect(otherScope.statusCode).toBe(400);
    const garbage = await rejection(
      query(client, { query: 'resources', options: { skipToken: 'not-a-token' } }),
    );
    expect(garbage.statusCode).toBe(400);
    // The genuine continuation still works.
    const next = await query(client, {
      subscriptions: [SUB_A],
      query: 'resources | order by id asc',
      options: { skipToken: token },
    });
    expect(next.response.count).toBe(1);
  });

  it('does not page a result without id: one page, resultTruncated "true"', async () => {
    const { response } = await query(client, {
      query: 'resources | project name',
      options: { top: 3 },
    });
    expect(response.count).toBe(3);
    expect(response.totalRecords).toBe(7);
    expect(response.resultTruncated).toBe('true');
    expect(response.skipToken).toBeUndefined();
  });

  it('serves resourcecontainers (subscriptions and resource groups) and authorizationresources', async () => {
    const containers = await query(client, {
      query:
        "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id, name, subscriptionId, tags | order by name asc",
    });
    expect(containers.response.data).toEqual([
      {
        id: `/subscriptions/${SUB_A}`,
        name: 'Sub A',
        subscriptionId: SUB_A,
        tags: { owner: 'a@x.example' },
      },
      { id: `/subscriptions/${SUB_B}`, name: 'Sub B', subscriptionId: SUB_B, tags: {} },
      { id: `/subscriptions/${SUB_C}`, name: 'Sub C', subscriptionId: SUB_C, tags: {} },
    ]);
    const groups = await query(client, {
      subscriptions: [SUB_A],
      query:
        "resourcecontainers | where type == 'microsoft.resources/subscriptions/resourcegroups' | project name, tags",
    });
    expect(groups.response.data).toEqual([
      { name: 'rg-vm-alpha', tags: { OwnerEmail: 'team@x.example' } },
    ]);
    const roles = await query(client, {
      query:
        "authorizationresources | where type =~ 'microsoft.authorization/roleassignments' | project id, properties",
    });
    expect(roles.response.data).toEqual([
      expect.objectContaining({ properties: { scope: `/subscriptions/${SUB_A}` } }),
    ]);
  });

  it('applies the KQL subset over HTTP: in~, =~, order direction, project nulls', async () => {
    const q =
      "resources | where type in~ ('MICROSOFT.CLASSICCOMPUTE/VIRTUALMACHINES') and tags.owner =~ 'BOB@X.EXAMPLE' | project id, name, kind, zones";
    const { response } = await query(client, { query: q });
    expect(response.data).toEqual([
      {
        id: `/subscriptions/${SUB_A}/resourceGroups/rg-VM-Bravo/providers/Microsoft.ClassicCompute/virtualMachines/VM-Bravo`,
        name: 'VM-Bravo',
        kind: null,
        zones: null,
      },
    ]);
    const desc = await query(client, {
      query:
        "resources | where type =~ 'microsoft.classiccompute/virtualmachines' | order by id | project id, name",
    });
    expect(names(desc.response.data)).toEqual(['vm-golf', 'vm-alpha', 'VM-Bravo']);
  });

  it('requires api-version and a bearer token; rejects table format and bad bodies', async () => {
    const body = { query: 'resources' };
    const noVersion = await raw(
      emulator,
      'POST',
      '/providers/Microsoft.ResourceGraph/resources',
      body,
      { authorization: 'Bearer t' },
    );
    expect(noVersion.status).toBe(400);
    expect(noVersion.json).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const noToken = await raw(emulator, 'POST', API, body);
    expect(noToken.status).toBe(401);
    expect(noToken.json).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    // ARM refuses it before Resource Graph sees it: no user, so no user quota said or charged.
    expect(noToken.headers['x-ms-user-quota-remaining']).toBeUndefined();
    const basic = await raw(emulator, 'POST', API, body, { authorization: 'Basic dXNlcg==' });
    expect(basic.status).toBe(401);
    const table = await raw(
      emulator,
      'POST',
      API,
      { ...body, options: { resultFormat: 'table' } },
      { authorization: 'Bearer t' },
    );
    expect(table.status).toBe(400);
    expect(JSON.stringify(table.json)).toMatch(/not supported by the emulator/);
    const notJson = await raw(emulator, 'POST', API, '{nope', { authorization: 'Bearer t' });
    expect(notJson.status).toBe(400);
    const both = await raw(
      emulator,
      'POST',
      API,
      { ...body, subscriptions: [SUB_A], managementGroups: ['root'] },
      { authorization: 'Bearer t' },
    );
    expect(both.status).toBe(400);
    const wrongPath = await raw(
      emulator,
      'POST',
      '/providers/Microsoft.ResourceGraph/resourcesHistory?api-version=x',
      body,
      { authorization: 'Bearer t' },
    );
    expect(wrongPath.status).toBe(404);
  });

  it('exposes stats and takes faults on the admin routes, without auth', async () => {
    await query(client, { query: 'resources | take 1' });
    const stats = await raw(emulator, 'GET', '/_emulator/stats');
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({
      requests: 1,
      served: 1,
      rows: 1,
      tenant: { subscriptions: 3, resources: 7 },
    });
    const put = await raw(emulator, 'PUT', '/_emulator/faults', {
      rules: [{ respond: { status: 503 }, times: 1 }],
    });
    expect(put.status).toBe(204);
    const failed = await rejection(query(client, { query: 'resources' }));
    expect(failed.statusCode).toBe(503);
    const bad = await raw(emulator, 'PUT', '/_emulator/faults', { errorRate: 3 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('errorRate');
  });

  it('keeps serving a paging client after setTenant, against the new rows', async () => {
    const first = await query(client, {
      query: 'resources | order by id asc',
      options: { top: 2 },
    });
    const changed = namedTenant();
    changed.resources = changed.resources.filter((r) => r.name !== 'VM-Bravo');
    emulator.setTenant(changed);
    const next = await query(client, {
      query: 'resources | order by id asc',
      options: { skipToken: first.response.skipToken },
    });
    expect(next.response.totalRecords).toBe(6);
  });
});
