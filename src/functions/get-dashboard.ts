// GET /api/dashboard: one self-contained page for people, under a per-response nonce CSP.
import { randomBytes } from 'node:crypto';
import { buildDashboard } from '../app/dashboard.js';
import { listExemptions } from '../app/exemptions.js';
import { services } from '../composition.js';
import { metaOf } from '../rules/define-rule.js';
import { DASHBOARD_CSP, renderDashboard } from '../views/dashboard.js';
import { summary } from './get-status.js';
import type { ContextLike, HttpRequestLike, HttpResponseInit } from './http.js';

export async function getDashboard(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  // Links back into the API carry the caller's function key, if the page was opened with one.
  const code = request.query.get('code');
  const withKey = (path: string) =>
    code ? `${path}${path.includes('?') ? '&' : '?'}code=${encodeURIComponent(code)}` : path;
  const current = await summary();
  const [exemptions, audit] = await Promise.all([
    listExemptions(s.exemptions, current?.exemptionMatches, s.clock()),
    s.exemptions.readAudit(50),
  ]);
  const model = await buildDashboard({
    exemptions,
    audit,
    store: s.store,
    summary: current,
    rules: s.rules.map(metaOf),
    now: s.clock(),
    thresholds: s.config.thresholds,
    schedule: s.config.scanSchedule,
    ruleDocUrl: (id) => `/api/rules/${id}?format=html`,
    csvUrl: withKey('/api/findings?format=csv&top=1000'),
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
