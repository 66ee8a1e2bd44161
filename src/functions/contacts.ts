// GET /api/contacts and PUT /api/contacts/{subscriptionId}: the operator's subscription → owner addresses list (owners of last resort before the defaults).
import { z } from 'zod';
import { services } from '../composition.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';
import { GUID } from './params.js';

const body = z
  .object({
    emails: z
      .array(
        z
          .string()
          .max(254)
          .regex(/^[^\s@<>,;"']+@[^\s@<>,;"']+\.[^\s@<>,;"']+$/, 'must be e-mail addresses'),
      )
      .max(50),
  })
  .strict();

export async function getContacts(
  _request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
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
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return problem(400, 'InvalidBody', 'body: must be JSON like {"emails": ["team@contoso.com"]}');
  }
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return problem(
      400,
      'InvalidBody',
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const emails = [...new Set(parsed.data.emails.map((e) => e.toLowerCase()))];
  await services().store.setContacts(id.toLowerCase(), emails);
  return json(200, { subscriptionId: id.toLowerCase(), emails });
}
