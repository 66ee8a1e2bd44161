// GET /api/contacts and PUT /api/contacts/{subscriptionId}: the operator's subscription → owner addresses list (owners
// of last resort before the defaults). Addresses must be in the allowed domains, the subscription one the scanner has
// seen; every change is audited.
import { z } from 'zod';
import { services } from '../composition.js';
import { inAllowedDomains, isEmailAddress, MAX_ADDRESS_LENGTH } from '../core/email-address.js';
import { callerOf, mayManage, viewerOf } from './caller.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';
import { GUID, parseQuery } from './params.js';
import { readJsonBody } from './request-body.js';

/** 50 addresses of at most 254 characters: the whole body stays far under this. */
const MAX_CONTACTS_BODY = 16 * 1024;

const body = z
  .object({
    emails: z
      .array(
        z
          .string()
          // Length first: the address check never sees more than 254 characters.
          .max(MAX_ADDRESS_LENGTH, `must be at most ${MAX_ADDRESS_LENGTH} characters`)
          .refine(isEmailAddress, 'must be e-mail addresses'),
      )
      .max(50),
  })
  .strict();

export async function getContacts(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const query = parseQuery(request.query, {});
  if (!query.ok) return query.response;
  const contacts = await services().store.loadContacts();
  return json(200, {
    contacts: [...contacts].map(([subscriptionId, emails]) => ({ subscriptionId, emails })),
  });
}

export async function putContacts(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const id = request.params.subscriptionId ?? '';
  if (!GUID.test(id))
    return problem(400, 'InvalidParameter', 'subscriptionId: must be a subscription id (a GUID)');
  const query = parseQuery(request.query, { by: z.string().max(254).optional() });
  if (!query.ok) return query.response;
  const read = await readJsonBody(request, MAX_CONTACTS_BODY);
  if (!read.ok) return read.response;
  const parsed = body.safeParse(read.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return problem(
      400,
      'InvalidBody',
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const s = services();
  const viewer = viewerOf(request, s.config, 'api');
  if (!viewer.ok) return viewer.response;
  const refused = mayManage(viewer.viewer, 'edit contacts');
  if (refused) return refused;
  const who = callerOf(request, s.config, query.value.by, 'by');
  if (!who.ok) return who.response;
  const emails = [...new Set(parsed.data.emails.map((e) => e.toLowerCase()))];
  const domains = s.config.email.allowedDomains;
  const outside = domains ? emails.filter((e) => !inAllowedDomains(e, domains)) : [];
  if (outside.length > 0)
    return problem(
      400,
      'InvalidBody',
      `emails: outside the allowed domains (EMAIL_ALLOWED_DOMAINS): ${outside.join(', ')}`,
    );
  const subscriptionId = id.toLowerCase();
  if (!(await s.store.readSubscription(subscriptionId)))
    return problem(
      404,
      'NotFound',
      `subscription ${subscriptionId} was never scanned: contacts are kept for scanned subscriptions only`,
    );
  // Audit first: a change is never without its record.
  await s.exemptions.recordAudit({
    at: s.clock().toISOString(),
    who: who.caller.who,
    ...(who.caller.selfDeclared ? { selfDeclared: true } : {}),
    action: 'contacts',
    subscriptionId,
    what: JSON.stringify({ emails }),
  });
  await s.store.setContacts(subscriptionId, emails);
  return json(200, { subscriptionId, emails });
}
