// GET /api/findings: open (or resolved) findings, filtered and paged, as JSON or CSV.
import { z } from 'zod';
import { InvalidTokenError, queryFindings, type FindingView } from '../app/query-findings.js';
import { SEVERITIES } from '../core/severity.js';
import { services } from '../composition.js';
import { toCsv } from '../views/csv.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';
import { GUID, parseQuery } from './params.js';
import { ownerScope, viewerOf, type Viewer } from './caller.js';

const CSV_COLUMNS = [
  'state',
  'ruleId',
  'severity',
  'resourceId',
  'resourceName',
  'resourceType',
  'subscriptionId',
  'subscriptionName',
  'resourceGroup',
  'owners',
  'message',
  'deadline',
  'urgency',
  'firstSeen',
  'lastSeen',
  'resolvedAt',
] as const;

export function findingsCsv(items: readonly FindingView[]): string {
  return toCsv([
    [...CSV_COLUMNS],
    ...items.map((f) =>
      CSV_COLUMNS.map((c) => {
        const v = f[c];
        return Array.isArray(v) ? v.join(';') : v === undefined || v === null ? '' : String(v);
      }),
    ),
  ]);
}

/** GET /api/findings (an API route: the function key sees every owner's findings). */
export async function getFindings(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  return findings(request, { kind: 'key' });
}

/**
 * GET /api/dashboard/findings: the same answer for the dashboard's reader — a signed-in owner gets their own findings
 * only (asking for another owner's is a 403), the platform team and key callers any owner's.
 */
export async function getDashboardFindings(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const viewer = viewerOf(request, services().config, 'people');
  if (!viewer.ok) return viewer.response;
  return findings(request, viewer.viewer);
}

async function findings(request: HttpRequestLike, viewer: Viewer): Promise<HttpResponseInit> {
  const s = services();
  const ruleIds = new Set(s.rules.map((r) => r.id));
  const parsed = parseQuery(request.query, {
    subscriptionId: z.string().regex(GUID, 'must be a subscription id (a GUID)').optional(),
    severity: z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
    ruleId: z
      .string()
      .max(100)
      .refine((id) => ruleIds.has(id), 'is not a rule id of the catalog (see GET /api/rules)')
      .optional(),
    resourceGroup: z.string().min(1).max(90, 'must be at most 90 characters').optional(),
    owner: z
      .string()
      .min(3)
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address')
      .optional(),
    status: z
      .enum(['open', 'resolved', 'exempted'], { message: 'must be open, resolved or exempted' })
      .default('open'),
    top: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(100),
    continuationToken: z.string().max(4096).optional(),
    format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
  });
  if (!parsed.ok) return parsed.response;
  const { top, continuationToken, format, subscriptionId, owner: asked, ...rest } = parsed.value;
  const scope = ownerScope(viewer, asked);
  if (!scope.ok) return scope.response;
  const filter = { ...rest, owner: scope.owner, subscriptionId: subscriptionId?.toLowerCase() };
  let page;
  try {
    page = await queryFindings(s.store, filter, {
      top,
      continuationToken,
      now: s.clock(),
      thresholds: s.config.thresholds,
      tokenKey: s.config.continuationTokenKey,
    });
  } catch (error) {
    if (error instanceof InvalidTokenError) return problem(400, 'InvalidParameter', error.message);
    throw error;
  }
  if (format === 'csv') {
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="findings.csv"',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...(page.continuationToken ? { 'x-ms-continuation': page.continuationToken } : {}),
      },
      body: findingsCsv(page.items),
    };
  }
  return json(200, {
    count: page.items.length,
    items: page.items,
    continuationToken: page.continuationToken,
  });
}
