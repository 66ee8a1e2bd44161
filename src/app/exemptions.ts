// Use cases for exemptions: validate and create one (audited), list them with their state (active, expired, stale), delete one.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isActive, type Exemption, type ExemptionScope } from '../core/exemptions.js';
import type { ExemptionStore } from './ports.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = 86_400_000;

export class ExemptionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ExemptionInputError';
  }
}

export interface ExemptionPolicy {
  readonly ruleIds: readonly string[];
  readonly now: Date;
  /** The furthest expiry allowed, in days from today. */
  readonly maxDays: number;
  /** Files of exemptions may hold expired ones: they simply no longer apply. */
  readonly allowExpired?: boolean;
}

const scopeSchema = z.union([
  z
    .object({
      resourceId: z
        .string()
        .min(1)
        .max(1024)
        .regex(
          /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\//i,
          'must be a resource id',
        ),
    })
    .strict(),
  z
    .object({
      subscriptionId: z.string().regex(GUID, 'must be a subscription id (a GUID)'),
      resourceGroup: z.string().min(1).max(90),
    })
    .strict(),
  z
    .object({ subscriptionId: z.string().regex(GUID, 'must be a subscription id (a GUID)') })
    .strict(),
  z
    .object({
      tag: z
        .string()
        .min(3)
        .max(600)
        .regex(/^[^=]+=.+$/, 'must be key=value'),
    })
    .strict(),
]);

const inputSchema = z.object({
  scope: z.unknown(),
  rule: z.string().min(1).max(100),
  expiresOn: z.string(),
  justification: z.string().trim().min(10, 'must say why, in at least 10 characters').max(2000),
  createdBy: z.string().min(3).max(254).optional(),
});

/** Validates an exemption as a user wrote it; throws ExemptionInputError naming the field. */
export function parseExemption(
  raw: unknown,
  policy: ExemptionPolicy,
  who: string | undefined,
): Exemption {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ExemptionInputError('body', 'must be a JSON object');
  const missing = ['scope', 'rule', 'expiresOn', 'justification'].find((k) => !(k in raw));
  if (missing) throw new ExemptionInputError(missing, 'is required');
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ExemptionInputError(String(issue?.path[0] ?? 'body'), issue?.message ?? 'is invalid');
  }
  const input = parsed.data;
  const scope = scopeSchema.safeParse(input.scope);
  if (!scope.success) {
    throw new ExemptionInputError(
      'scope',
      'must be one of {resourceId}, {subscriptionId, resourceGroup}, {subscriptionId} or {tag: "key=value"}',
    );
  }
  const s = scope.data;
  const exemptionScope: ExemptionScope =
    'resourceId' in s
      ? { kind: 'resource', resourceId: s.resourceId }
      : 'tag' in s
        ? {
            kind: 'tag',
            key: s.tag.slice(0, s.tag.indexOf('=')).trim(),
            value: s.tag.slice(s.tag.indexOf('=') + 1).trim(),
          }
        : 'resourceGroup' in s
          ? {
              kind: 'resourceGroup',
              subscriptionId: s.subscriptionId.toLowerCase(),
              resourceGroup: s.resourceGroup,
            }
          : { kind: 'subscription', subscriptionId: s.subscriptionId.toLowerCase() };
  const rule = input.rule.trim();
  const known = rule.endsWith('/')
    ? policy.ruleIds.some((id) => id.startsWith(rule))
    : policy.ruleIds.includes(rule);
  if (!known)
    throw new ExemptionInputError(
      'rule',
      `"${rule}" is neither a rule id of the catalog nor a pack prefix like "classic/"`,
    );
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.expiresOn) ||
    Number.isNaN(Date.parse(`${input.expiresOn}T00:00:00Z`))
  ) {
    throw new ExemptionInputError('expiresOn', 'must be a date (YYYY-MM-DD)');
  }
  const today = policy.now.toISOString().slice(0, 10);
  const latest = new Date(Date.parse(`${today}T00:00:00Z`) + policy.maxDays * DAY)
    .toISOString()
    .slice(0, 10);
  if (input.expiresOn < today && !policy.allowExpired)
    throw new ExemptionInputError('expiresOn', 'is in the past');
  if (input.expiresOn > latest) {
    throw new ExemptionInputError(
      'expiresOn',
      `is more than ${policy.maxDays} days away (latest allowed: ${latest})`,
    );
  }
  const createdBy = who ?? input.createdBy;
  if (!createdBy) throw new ExemptionInputError('createdBy', 'is required (who accepts this)');
  return {
    id: randomUUID(),
    scope: exemptionScope,
    rule,
    expiresOn: input.expiresOn,
    justification: input.justification,
    createdBy,
    createdAt: policy.now.toISOString(),
  };
}

export interface ExemptionView extends Exemption {
  readonly state: 'active' | 'expired';
  /** Covered no finding at the last complete scan. */
  readonly stale: boolean;
  readonly matchedFindings: number;
}

export async function listExemptions(
  store: ExemptionStore,
  matches: Readonly<Record<string, number>> | undefined,
  now: Date,
): Promise<ExemptionView[]> {
  return (await store.listExemptions()).map((e) => {
    const matchedFindings = matches?.[e.id] ?? 0;
    return {
      ...e,
      state: isActive(e, now) ? 'active' : 'expired',
      stale: matches !== undefined && matchedFindings === 0,
      matchedFindings,
    };
  });
}

export async function createExemption(
  store: ExemptionStore,
  raw: unknown,
  policy: ExemptionPolicy,
  who: string | undefined,
  selfDeclared = false,
): Promise<Exemption> {
  const exemption = parseExemption(raw, policy, who);
  await store.putExemption(exemption, {
    at: policy.now.toISOString(),
    who: exemption.createdBy,
    ...(selfDeclared ? { selfDeclared } : {}),
    action: 'create',
    exemptionId: exemption.id,
    what: JSON.stringify(exemption),
  });
  return exemption;
}

export async function deleteExemption(
  store: ExemptionStore,
  id: string,
  who: string,
  now: Date,
  selfDeclared = false,
): Promise<boolean> {
  const existing = await store.getExemption(id);
  if (!existing) return false;
  return store.deleteExemption(id, {
    at: now.toISOString(),
    who,
    ...(selfDeclared ? { selfDeclared } : {}),
    action: 'delete',
    exemptionId: id,
    what: JSON.stringify(existing),
  });
}
