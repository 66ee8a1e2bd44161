// GET /api/dashboard: one self-contained page for people, under a per-response nonce CSP. The view comes from the URL
// (owner, subscription, severity, rule, status, service; top and continuationToken page the findings table), each
// parameter validated as the findings API validates its own: a wrong one is a 400 page naming it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  buildDashboard,
  DASHBOARD_MAX_PAGE_SIZE,
  DASHBOARD_PAGE_SIZE,
  retirementServices,
  type DashboardFilters,
} from '../app/dashboard.js';
import { listExemptions } from '../app/exemptions.js';
import { InvalidTokenError } from '../app/query-findings.js';
import { services } from '../composition.js';
import { SEVERITIES } from '../core/severity.js';
import { metaOf } from '../rules/define-rule.js';
import { DASHBOARD_CSP, renderDashboard } from '../views/dashboard.js';
import { FILTER_NAMES } from '../views/dashboard-model.js';
import { html } from '../views/html.js';
import { summary } from './get-status.js';
import type { ContextLike, HttpRequestLike, HttpResponseInit } from './http.js';
import { ownerScope, seesEverything, viewerOf } from './caller.js';
import { FUNCTION_KEY_PARAMETER, GUID, parseQuery } from './params.js';

const HEADERS = (nonce: string) => ({
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': DASHBOARD_CSP(nonce),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
});

/** A small page that says which parameter was wrong and links to the whole dashboard. */
function badRequest(message: string, home: string): HttpResponseInit {
  const nonce = randomBytes(16).toString('base64');
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Azure migration readiness — this view does not exist</title>
      </head>
      <body>
        <main>
          <h1>This view does not exist</h1>
          <p>The link names a filter the dashboard does not know: ${message}.</p>
          <p><a href="${home}">Open the whole dashboard</a></p>
        </main>
      </body>
    </html>`;
  return { status: 400, headers: HEADERS(nonce), body: `${page.value.trim()}\n` };
}

/** The findings API's CSV of the same view (the API has no service filter: a service view's CSV holds the other filters' findings). */
function csvUrlOf(filters: DashboardFilters, path: string): string {
  const q = new URLSearchParams({ format: 'csv', top: '1000' });
  if (filters.owner) q.set('owner', filters.owner);
  if (filters.subscription) q.set('subscriptionId', filters.subscription);
  if (filters.severity) q.set('severity', filters.severity);
  if (filters.rule) q.set('ruleId', filters.rule);
  if (filters.status) q.set('status', filters.status);
  return `${path}?${q.toString()}`;
}

export async function getDashboard(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  // A people's route: the signed-in viewer (or, without sign-in, the key the host checked) decides what is shown.
  const viewer = viewerOf(request, s.config, 'people');
  if (!viewer.ok) return viewer.response;
  const everything = seesEverything(viewer.viewer);
  // Links back into the API carry the caller's function key, if the page was opened with one.
  const code = request.query.get(FUNCTION_KEY_PARAMETER);
  const withKey = (path: string) =>
    code ? `${path}${path.includes('?') ? '&' : '?'}code=${encodeURIComponent(code)}` : path;
  const rules = s.rules.map(metaOf);
  const ruleIds = new Set(rules.map((r) => r.id));
  const current = await summary();
  const known = retirementServices(current, rules);
  const parsed = parseQuery(request.query, {
    owner: z
      .string()
      .min(3)
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address')
      .optional(),
    subscription: z.string().regex(GUID, 'must be a subscription id (a GUID)').optional(),
    severity: z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
    rule: z
      .string()
      .max(100)
      .refine((id) => ruleIds.has(id), 'is not a rule id of the catalog (see GET /api/rules)')
      .optional(),
    status: z
      .enum(['open', 'resolved', 'exempted'], { message: 'must be open, resolved or exempted' })
      .optional(),
    service: z
      .string()
      .max(200)
      .refine(
        (name) => known.has(name),
        `is not a service with retirements (${[...known.keys()].sort().slice(0, 12).join(', ')}${known.size > 12 ? ', …' : ''})`,
      )
      .optional(),
    top: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(DASHBOARD_MAX_PAGE_SIZE, `must be at most ${DASHBOARD_MAX_PAGE_SIZE}`)
      .optional(),
    continuationToken: z.string().max(4096).optional(),
  });
  if (!parsed.ok) return badRequest(parsed.message, withKey('/api/dashboard'));
  const { top, continuationToken, ...given } = parsed.value;
  // A signed-in owner sees their own findings: their view by default, another owner's is refused.
  const scope = ownerScope(viewer.viewer, given.owner);
  if (!scope.ok) return scope.response;
  given.owner = scope.owner;
  const filters: DashboardFilters = Object.fromEntries(
    FILTER_NAMES.filter(
      (name) => given[name] !== undefined && !(name === 'status' && given[name] === 'open'),
    ).map((name) => [name, name === 'subscription' ? given[name]?.toLowerCase() : given[name]]),
  );
  // The view's URL: filters in a fixed order, then the page size and the continuation, then the key.
  const viewUrl = (f: DashboardFilters, token?: string) => {
    const q = new URLSearchParams();
    for (const name of FILTER_NAMES) {
      const value = f[name];
      if (value !== undefined && !(name === 'status' && value === 'open')) q.set(name, value);
    }
    if (top !== undefined && top !== DASHBOARD_PAGE_SIZE) q.set('top', String(top));
    if (token) q.set('continuationToken', token);
    const query = q.toString();
    return withKey(`/api/dashboard${query ? `?${query}` : ''}`);
  };
  // Exemptions and the audit trail name other owners' resources and people: the platform team's (and key holders').
  const [exemptions, audit] = everything
    ? await Promise.all([
        listExemptions(s.exemptions, current?.exemptionMatches, s.clock()),
        s.exemptions.readAudit(50),
      ])
    : [[], []];
  let model;
  try {
    model = await buildDashboard({
      exemptions,
      audit,
      store: s.store,
      // Refused addresses name other people and where their tags are: the platform team's to fix.
      summary:
        everything || !current
          ? current
          : { ...current, refusedRecipients: undefined, refusedRecipientsTotal: undefined },
      rules,
      now: s.clock(),
      thresholds: s.config.thresholds,
      schedule: s.config.scanSchedule,
      ruleDocUrl: (id) => `/api/rules/${id}?format=html`,
      // Signed-in people have no key: their CSV is the people's findings route, which applies their scope.
      csvUrl:
        viewer.viewer.kind === 'key'
          ? withKey(csvUrlOf(filters, '/api/findings'))
          : csvUrlOf(filters, '/api/dashboard/findings'),
      filters,
      pageSize: top,
      continuationToken,
      tokenKey: s.config.continuationTokenKey,
      viewUrl,
      platformContact: s.config.platformContact,
    });
  } catch (error) {
    if (error instanceof InvalidTokenError)
      return badRequest(`continuationToken: ${error.message}`, withKey('/api/dashboard'));
    throw error;
  }
  const nonce = randomBytes(16).toString('base64');
  return { status: 200, headers: HEADERS(nonce), body: renderDashboard(model, { nonce }) };
}
