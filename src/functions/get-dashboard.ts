// GET /api/dashboard: one self-contained page for people, under a per-response nonce CSP.
import { randomBytes } from 'node:crypto';
import { buildDashboard } from '../app/dashboard.js';
import { listExemptions } from '../app/exemptions.js';
import { services } from '../composition.js';
import { metaOf } from '../rules/define-rule.js';
import { DASHBOARD_CSP, renderDashboard } from '../views/dashboard.js';
import { summary } from './get-status.js';
import type { ContextLike, HttpRequestLike, HttpResponseInit } from './http.js';
import { ownerScope, seesEverything, viewerOf } from './caller.js';

export async function getDashboard(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  // A people's route: the signed-in viewer (or, without sign-in, the key the host checked) decides what is shown.
  const viewer = viewerOf(request, s.config, 'people');
  if (!viewer.ok) return viewer.response;
  const scope = ownerScope(viewer.viewer, request.query.get('owner') ?? undefined);
  if (!scope.ok) return scope.response;
  const everything = seesEverything(viewer.viewer);
  // Links back into the API carry the caller's function key, if the page was opened with one.
  const code = request.query.get('code');
  const withKey = (path: string) =>
    code ? `${path}${path.includes('?') ? '&' : '?'}code=${encodeURIComponent(code)}` : path;
  const current = await summary();
  // Exemptions and the audit trail name other owners' resources and people: the platform team's (and key holders').
  const [exemptions, audit] = everything
    ? await Promise.all([
        listExemptions(s.exemptions, current?.exemptionMatches, s.clock()),
        s.exemptions.readAudit(50),
      ])
    : [[], []];
  const model = await buildDashboard({
    exemptions,
    audit,
    store: s.store,
    owner: scope.owner,
    // Refused addresses name other people and where their tags are: the platform team's to fix.
    summary:
      everything || !current
        ? current
        : { ...current, refusedRecipients: undefined, refusedRecipientsTotal: undefined },
    rules: s.rules.map(metaOf),
    now: s.clock(),
    thresholds: s.config.thresholds,
    schedule: s.config.scanSchedule,
    ruleDocUrl: (id) => `/api/rules/${id}?format=html`,
    csvUrl: everything
      ? withKey('/api/findings?format=csv&top=1000')
      : '/api/dashboard/findings?format=csv&top=1000',
  });
  const nonce = randomBytes(16).toString('base64');
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': DASHBOARD_CSP(nonce),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    },
    body: renderDashboard(model, { nonce }),
  };
}
