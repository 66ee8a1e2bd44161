// Use cases for exemptions: validate and create one (audited), list them with their state (active, expired, stale), delete
// one, and bring the stored findings in line when one is created or removed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { exemptionFor, isActive, type Exemption, type ExemptionScope } from '../core/exemptions.js';
import { findingKey } from '../core/finding.js';
import type { Counts, StoredFinding } from '../core/lifecycle.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import {
  AlreadyRunningError,
  type ExemptionStore,
  type FindingStore,
  type StatusSummary,
} from './ports.js';

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

/** What creating or removing an exemption did to the stored findings, or when it will. */
export interface ExemptionEffect {
  /** `now`: the stored findings, their counts and the status say it already; `next-scan`: the next scan will. */
  readonly applied: 'now' | 'next-scan';
  /** Stored findings whose exemption changed now. */
  readonly findings: number;
  readonly message: string;
}

export interface ApplyExemptionDeps {
  readonly store: FindingStore;
  readonly exemptions: Pick<ExemptionStore, 'listExemptions'>;
  readonly now: Date;
}

/** The subscription an exemption's scope lies in; undefined for a tag (any subscription). */
function subscriptionOf(scope: ExemptionScope): string | undefined {
  switch (scope.kind) {
    case 'resource':
      return /^\/subscriptions\/([^/]+)\//i.exec(scope.resourceId)?.[1]?.toLowerCase();
    case 'resourceGroup':
    case 'subscription':
      return scope.subscriptionId.toLowerCase();
    case 'tag':
      return undefined;
  }
}

const nextScan = (message: string): ExemptionEffect => ({
  applied: 'next-scan',
  findings: 0,
  message: `takes effect at the next scan: ${message}`,
});

/**
 * Brings the stored findings of the exemption's subscription in line with the exemptions as they are now (after
 * `changed` was created or removed): each open finding gets the active exemption covering it, as a scan would give
 * it, and the subscription's counts and the status summary move with it. It holds the scan lease meanwhile, so no
 * scan writes the same partition with the exemptions it read before; while a scan runs it leaves everything to the
 * next scan and says so. A tag exemption is left to the next scan too: stored findings do not keep their resource's
 * tags, so whom it covers is only known when the resources are read again.
 */
export async function applyExemptionChange(
  deps: ApplyExemptionDeps,
  changed: Exemption,
  change: 'create' | 'remove',
): Promise<ExemptionEffect> {
  const subscriptionId = subscriptionOf(changed.scope);
  if (subscriptionId === undefined)
    return nextScan(
      "stored findings do not keep their resource's tags, so a tag exemption is matched when the resources are read again",
    );
  let lease;
  try {
    lease = await deps.store.acquireLease(`exemption-${changed.id}`, 60, deps.now);
  } catch (error) {
    if (error instanceof AlreadyRunningError)
      return nextScan('a scan is running, and it read the exemptions before this change');
    throw error;
  }
  try {
    const record = await deps.store.readSubscription(subscriptionId);
    if (!record)
      return {
        applied: 'now',
        findings: 0,
        message: 'in effect now: the subscription holds no stored findings yet',
      };
    const all = await deps.exemptions.listExemptions();
    // Tag exemptions cannot be judged without tags: a finding keeps one the last scan gave it, if it still exists.
    const judged = all.filter((e) => e.scope.kind !== 'tag');
    const tagged = new Map(all.filter((e) => e.scope.kind === 'tag').map((e) => [e.id, e]));
    const stored = await deps.store.loadFindings(subscriptionId);
    const changes: StoredFinding[] = [];
    for (const f of stored) {
      if (f.status !== 'open') continue;
      const kept = f.exemptionId ? tagged.get(f.exemptionId) : undefined;
      const found = exemptionFor(judged, f, deps.now);
      const best =
        kept && isActive(kept, deps.now) && (!found || kept.expiresOn >= found.expiresOn)
          ? kept
          : found;
      if ((best?.id ?? undefined) === (f.exemptionId || undefined)) continue;
      changes.push({
        ...f,
        exemptionId: best?.id,
        exemptedUntil: best?.expiresOn,
        expiredExemptionId: best ? undefined : f.expiredExemptionId,
      });
    }
    if (changes.length === 0)
      return { applied: 'now', findings: 0, message: 'in effect now: no stored finding changed' };
    // The partition's hash is cleared first, so the next scan reconciles it instead of trusting the old hash.
    await deps.store.markSubscription(subscriptionId);
    await deps.store.writeFindings(subscriptionId, changes);
    const before = new Map(stored.map((f) => [findingKey(f), f]));
    const delta = countDelta(changes.map((c) => [before.get(findingKey(c)) as StoredFinding, c]));
    await deps.store.writeSubscriptions([
      {
        ...record,
        findingsHash: '',
        counts: applyDelta(record.counts, delta),
        exemptionMatches: moveMatches(record.exemptionMatches, delta.matches),
      },
    ]);
    const summary = await deps.store.readStatus();
    if (summary)
      await deps.store.writeStatus({
        ...summary,
        totals: applyDelta(summary.totals, delta),
        deadlines: moveDeadlines(summary.deadlines, delta.deadlines),
        exemptionMatches: moveMatches(summary.exemptionMatches, delta.matches),
      });
    const verb = change === 'create' ? 'exempted' : 'restored';
    return {
      applied: 'now',
      findings: changes.length,
      message: `in effect now: ${changes.length} stored finding${changes.length === 1 ? '' : 's'} ${verb}`,
    };
  } finally {
    await lease.release();
  }
}

interface CountDelta {
  readonly open: number;
  readonly exempted: number;
  readonly bySeverity: Record<Severity, number>;
  readonly byRule: Record<string, number>;
  readonly matches: Record<string, number>;
  readonly deadlines: Map<string, { deadline: string; change: number }>;
}

function countDelta(pairs: readonly (readonly [StoredFinding, StoredFinding])[]): CountDelta {
  const delta = {
    open: 0,
    exempted: 0,
    bySeverity: { blocker: 0, warning: 0, info: 0 } as Record<Severity, number>,
    byRule: {} as Record<string, number>,
    matches: {} as Record<string, number>,
    deadlines: new Map<string, { deadline: string; change: number }>(),
  };
  for (const [was, now] of pairs) {
    if (was.exemptionId) delta.matches[was.exemptionId] = (delta.matches[was.exemptionId] ?? 0) - 1;
    if (now.exemptionId) delta.matches[now.exemptionId] = (delta.matches[now.exemptionId] ?? 0) + 1;
    // Only a move between counted-open and exempted changes the open counts.
    const step = (was.exemptionId ? 0 : -1) + (now.exemptionId ? 0 : 1);
    if (step === 0) continue;
    delta.open += step;
    delta.exempted -= step;
    delta.bySeverity[now.severity] += step;
    delta.byRule[now.ruleId] = (delta.byRule[now.ruleId] ?? 0) + step;
    if (now.deadline) {
      const d = delta.deadlines.get(now.ruleId) ?? { deadline: now.deadline, change: 0 };
      delta.deadlines.set(now.ruleId, { ...d, change: d.change + step });
    }
  }
  return delta;
}

function applyDelta(counts: Counts, delta: CountDelta): Counts {
  const bySeverity = { ...counts.bySeverity };
  for (const s of SEVERITIES) bySeverity[s] = Math.max(0, bySeverity[s] + delta.bySeverity[s]);
  const byRule = { ...counts.byRule };
  for (const [rule, n] of Object.entries(delta.byRule)) {
    const next = (byRule[rule] ?? 0) + n;
    if (next > 0) byRule[rule] = next;
    else delete byRule[rule];
  }
  return {
    ...counts,
    open: Math.max(0, counts.open + delta.open),
    exempted: Math.max(0, (counts.exempted ?? 0) + delta.exempted),
    bySeverity,
    byRule,
  };
}

function moveMatches(
  matches: Readonly<Record<string, number>> | undefined,
  delta: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = { ...(matches ?? {}) };
  for (const [id, n] of Object.entries(delta)) {
    const next = (out[id] ?? 0) + n;
    if (next > 0) out[id] = next;
    else delete out[id];
  }
  return out;
}

function moveDeadlines(
  deadlines: StatusSummary['deadlines'],
  delta: CountDelta['deadlines'],
): StatusSummary['deadlines'] {
  const out = deadlines.map((d) => {
    const change = delta.get(d.ruleId)?.change ?? 0;
    return change === 0 ? d : { ...d, count: d.count + change };
  });
  for (const [ruleId, { deadline, change }] of delta) {
    if (change > 0 && !deadlines.some((d) => d.ruleId === ruleId))
      out.push({ ruleId, deadline, count: change });
  }
  return out.filter((d) => d.count > 0);
}
