// The retirement catalog: data (catalog.json, or a user's file), validated, and refreshable from the official feed.
import { z } from 'zod';
import builtIn from './catalog.json' with { type: 'json' };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const conditionSchema = z
  .object({
    path: z.string().min(1),
    equals: z.string().optional(),
    contains: z.string().optional(),
  })
  .refine((c) => (c.equals === undefined) !== (c.contains === undefined), {
    message: 'a condition needs exactly one of "equals" or "contains"',
  });

export const retirementSchema = z.object({
  id: z
    .string()
    .regex(/^retirement\/[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id must look like retirement/kebab-name'),
  title: z.string().min(1),
  deadline: z.string().regex(ISO_DATE, 'deadline must be an ISO date (YYYY-MM-DD)'),
  link: z.string().url(),
  feedId: z
    .union([z.string(), z.number()])
    .nullable()
    .transform((v) => (v === null ? null : String(v))),
  /** Advisor recommendation types (microsoft.advisor/metadata) this hand-written retirement stands for. */
  advisorTypeIds: z.array(z.string().min(1)).optional(),
  selector: z.object({
    types: z.array(z.string().min(1)).min(1),
    all: z.array(conditionSchema).optional(),
  }),
});

export type Retirement = z.infer<typeof retirementSchema>;
export type RetirementCondition = z.infer<typeof conditionSchema>;

export const catalogSchema = z.object({ retirements: z.array(retirementSchema) });

export function parseCatalog(json: unknown): Retirement[] {
  return catalogSchema.parse(json).retirements;
}

export const BUILT_IN_RETIREMENTS: readonly Retirement[] = Object.freeze(parseCatalog(builtIn));

/** One entry of the official Azure retirement feed (Azure/EOL `service_list.json`). */
export interface FeedEntry {
  readonly id: string;
  readonly serviceName: string;
  readonly retiringFeature: string;
  /** Absent when the feed gives no date. */
  readonly retirementDate?: string;
  readonly link?: string;
}

/**
 * Reads the feed in either of its published shapes: a bare array, or `{ version, content: [...] }`.
 * Throws with a message naming what is wrong; skips entries without an `Id`.
 */
export function parseRetirementFeed(json: unknown): FeedEntry[] {
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' &&
        json !== null &&
        Array.isArray((json as { content?: unknown }).content)
      ? (json as { content: unknown[] }).content
      : undefined;
  if (!list)
    throw new Error(
      'not a retirement feed: expected a JSON array or an object with a "content" array',
    );
  const entries: FeedEntry[] = [];
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as Record<string, unknown>;
    if (typeof r.Id !== 'string' && typeof r.Id !== 'number') continue;
    const date = typeof r.RetirementDate === 'string' ? r.RetirementDate.trim() : '';
    entries.push({
      id: String(r.Id).trim(),
      serviceName: typeof r.ServiceName === 'string' ? r.ServiceName : '',
      retiringFeature: typeof r.RetiringFeature === 'string' ? r.RetiringFeature : '',
      ...(ISO_DATE.test(date.slice(0, 10)) ? { retirementDate: date.slice(0, 10) } : {}),
      ...(typeof r.Link === 'string' && r.Link ? { link: r.Link } : {}),
    });
  }
  return entries;
}

/** Overrides deadlines (and links) by feed id. An entry with no date changes nothing. */
export function applyFeed(
  catalog: readonly Retirement[],
  feed: readonly FeedEntry[],
): Retirement[] {
  const byId = new Map(feed.map((e) => [e.id, e]));
  return catalog.map((entry) => {
    const fromFeed = entry.feedId === null ? undefined : byId.get(entry.feedId);
    if (!fromFeed?.retirementDate) return entry;
    return { ...entry, deadline: fromFeed.retirementDate, link: fromFeed.link ?? entry.link };
  });
}
