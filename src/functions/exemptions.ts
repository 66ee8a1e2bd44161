// POST/GET/DELETE /api/exemptions: what a team has accepted, until when, and why — validated and audited.
import {
  createExemption,
  deleteExemption,
  ExemptionInputError,
  listExemptions,
} from '../app/exemptions.js';
import { services } from '../composition.js';
import { summary } from './get-status.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who is calling: App Service Authentication's principal when Entra ID is in front, else what the caller says. */
function caller(request: HttpRequestLike): string | undefined {
  return request.headers.get('x-ms-client-principal-name') ?? undefined;
}

export async function postExemption(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  const text = await request.text();
  if (text.length > 64_000)
    return problem(413, 'PayloadTooLarge', 'an exemption is at most 64 KB of JSON');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, 'InvalidBody', 'body: must be JSON');
  }
  try {
    const exemption = await createExemption(
      s.exemptions,
      body,
      { ruleIds: s.rules.map((r) => r.id), now: s.clock(), maxDays: s.config.exemptionMaxDays },
      caller(request),
    );
    return json(201, exemption, { Location: `/api/exemptions/${exemption.id}` });
  } catch (error) {
    if (error instanceof ExemptionInputError)
      return problem(400, 'InvalidExemption', error.message);
    throw error;
  }
}

export async function getExemptions(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  if ([...request.query.keys()].length > 0) {
    return problem(
      400,
      'UnknownParameter',
      `unknown query parameter "${[...request.query.keys()][0]}"`,
    );
  }
  const s = services();
  const current = await summary();
  const [exemptions, audit] = await Promise.all([
    listExemptions(s.exemptions, current?.exemptionMatches, s.clock()),
    s.exemptions.readAudit(100),
  ]);
  return json(200, { exemptions, audit });
}

export async function removeExemption(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  if (!UUID.test(id))
    return problem(400, 'InvalidParameter', 'id: must be an exemption id (a GUID)');
  const who = caller(request) ?? request.query.get('by') ?? undefined;
  if (!who)
    return problem(
      400,
      'InvalidParameter',
      'by: say who removes the exemption (?by=you@contoso.com), or put Entra ID in front',
    );
  const s = services();
  const removed = await deleteExemption(s.exemptions, id, who, s.clock());
  return removed ? { status: 204 } : problem(404, 'NotFound', `no exemption ${id}`);
}
