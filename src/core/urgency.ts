// Urgency of a retirement deadline, computed from the scan's clock (`now`), never from Date.now().
export const URGENCIES = ['overdue', 'due-7', 'due-30', 'due-90', 'due-180', 'later'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Day thresholds for the `due-N` stages; configurable through DEADLINE_THRESHOLDS_DAYS. */
export interface UrgencyThresholds {
  readonly due7: number;
  readonly due30: number;
  readonly due90: number;
  readonly due180: number;
}

export const DEFAULT_THRESHOLDS: UrgencyThresholds = { due7: 7, due30: 30, due90: 90, due180: 180 };

const DAY_MS = 86_400_000;

/** Whole days from `now` (UTC date) to the deadline (an ISO date, YYYY-MM-DD). */
export function daysUntil(deadline: string, now: Date): number {
  const due = Date.parse(`${deadline}T00:00:00Z`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((due - today) / DAY_MS);
}

/** A deadline is overdue from the day after it; on the day itself it is `due-7`. */
export function urgencyOf(
  deadline: string,
  now: Date,
  thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS,
): Urgency {
  const days = daysUntil(deadline, now);
  if (days < 0) return 'overdue';
  if (days <= thresholds.due7) return 'due-7';
  if (days <= thresholds.due30) return 'due-30';
  if (days <= thresholds.due90) return 'due-90';
  if (days <= thresholds.due180) return 'due-180';
  return 'later';
}

/** Index of an urgency: lower is more urgent. */
export function urgencyRank(urgency: Urgency): number {
  return URGENCIES.indexOf(urgency);
}
