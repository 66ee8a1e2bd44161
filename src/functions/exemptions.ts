// POST/GET/DELETE /api/exemptions: what a team has accepted, until when, and why — validated and audited.
import {
  applyExemptionChange,
  createExemption,
  deleteExemption,
  ExemptionInputError,
  listExemptions,
} from '../app/exemptions.js';
import { services } from '../composition.js';
import { callerOf, mayManage, viewerOf } from './caller.js';
import { summary } from './get-status.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';
import { parseQuery } from './params.js';
import { readJsonBody } from './request-body.js';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function postExemption(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const s = services();
  const viewer = viewerOf(request, s.config, 'api');
  if (!viewer.ok) return viewer.response;
  const refused = mayManage(viewer.viewer, 'create exemptions');
  if (refused) return refused;
  const query = parseQuery(request.query, {});
  if (!query.ok) return query.response;
  const read = await readJsonBody(request);
  if (!read.ok) return read.response;
  const body = read.value;
  const declared =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as { createdBy?: unknown }).createdBy
      : undefined;
  const who = callerOf(request, s.config, declared, 'createdBy');
  if (!who.ok) return who.response;
  try {
    const exemption = await createExemption(
      s.exemptions,
      body,
      { ruleIds: s.rules.map((r) => r.id), now: s.clock(), maxDays: s.config.exemptionMaxDays },
      who.caller.who,
      who.caller.selfDeclared,
    );
    // In effect on the stored findings now, or the answer says when it will be.
    const effect = await applyExemptionChange(
      { store: s.store, exemptions: s.exemptions, now: s.clock() },
      exemption,
      'create',
    );
    return json(201, { ...exemption, effect }, { Location: `/api/exemptions/${exemption.id}` });
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
  const query = parseQuery(request.query, {});
  if (!query.ok) return query.response;
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
  const query = parseQuery(request.query, { by: z.string().max(254).optional() });
  if (!query.ok) return query.response;
  const s = services();
  const viewer = viewerOf(request, s.config, 'api');
  if (!viewer.ok) return viewer.response;
  const refused = mayManage(viewer.viewer, 'remove exemptions');
  if (refused) return refused;
  const who = callerOf(request, s.config, query.value.by, 'by');
  if (!who.ok) return who.response;
  const existing = await s.exemptions.getExemption(id);
  const removed =
    existing &&
    (await deleteExemption(s.exemptions, id, who.caller.who, s.clock(), who.caller.selfDeclared));
  if (!existing || !removed) return problem(404, 'NotFound', `no exemption ${id}`);
  const effect = await applyExemptionChange(
    { store: s.store, exemptions: s.exemptions, now: s.clock() },
    existing,
    'remove',
  );
  return json(200, { id, removed: true, effect });
}
