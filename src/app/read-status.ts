// Use case: the tenant's readiness status, from the O(1) summary, with deadline urgency computed from `now`.
import {
  URGENCIES,
  urgencyOf,
  DEFAULT_THRESHOLDS,
  type Urgency,
  type UrgencyThresholds,
} from '../core/urgency.js';
import type { Counts } from '../core/lifecycle.js';
import type { FindingStore, ScanRecord, StatusSummary, SubscriptionRecord } from './ports.js';

export interface DeadlineView {
  readonly byUrgency: Record<Urgency, number>;
  readonly rules: readonly { ruleId: string; deadline: string; urgency: Urgency; count: number }[];
}

export interface StatusView {
  readonly generatedAt: string;
  readonly lastScan: Omit<ScanRecord, 'counts'> | null;
  readonly findings: Pick<Counts, 'open' | 'bySeverity' | 'byRule'>;
  readonly deadlines: DeadlineView;
  readonly changes: {
    readonly previousScanId: string | null;
    readonly new: number;
    readonly resolved: number;
    readonly reopened: number;
  };
  readonly lastSucceededAt: string | null;
}

export function deadlineView(
  deadlines: StatusSummary['deadlines'],
  now: Date,
  thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS,
): DeadlineView {
  const byUrgency = Object.fromEntries(URGENCIES.map((u) => [u, 0])) as Record<Urgency, number>;
  const rules = deadlines.map((d) => {
    const urgency = urgencyOf(d.deadline, now, thresholds);
    byUrgency[urgency] += d.count;
    return { ...d, urgency };
  });
  return { byUrgency, rules };
}

export function statusView(
  summary: StatusSummary | undefined,
  now: Date,
  thresholds?: UrgencyThresholds,
): StatusView {
  if (!summary) {
    return {
      generatedAt: now.toISOString(),
      lastScan: null,
      findings: { open: 0, bySeverity: { blocker: 0, warning: 0, info: 0 }, byRule: {} },
      deadlines: deadlineView([], now, thresholds),
      changes: { previousScanId: null, new: 0, resolved: 0, reopened: 0 },
      lastSucceededAt: null,
    };
  }
  const { counts: _counts, ...lastScan } = summary.lastScan;
  return {
    generatedAt: now.toISOString(),
    lastScan,
    findings: {
      open: summary.totals.open,
      bySeverity: summary.totals.bySeverity,
      byRule: summary.totals.byRule,
    },
    deadlines: deadlineView(summary.deadlines, now, thresholds),
    changes: {
      previousScanId: summary.previousScanId ?? null,
      new: summary.totals.new,
      resolved: summary.totals.resolved,
      reopened: summary.totals.reopened,
    },
    lastSucceededAt: summary.lastSucceededAt ?? null,
  };
}

export async function readStatus(
  store: FindingStore,
  now: Date,
  thresholds?: UrgencyThresholds,
): Promise<StatusView> {
  return statusView(await store.readStatus(), now, thresholds);
}

export interface SubscriptionStatusView {
  readonly generatedAt: string;
  readonly subscription: Omit<SubscriptionRecord, 'counts'>;
  readonly findings: Pick<Counts, 'open' | 'bySeverity' | 'byRule'>;
  readonly changes: Pick<Counts, 'new' | 'resolved' | 'reopened'>;
}

export async function readSubscriptionStatus(
  store: FindingStore,
  subscriptionId: string,
  now: Date,
): Promise<SubscriptionStatusView | undefined> {
  const record = await store.readSubscription(subscriptionId);
  if (!record) return undefined;
  const { counts, ...subscription } = record;
  return {
    generatedAt: now.toISOString(),
    subscription,
    findings: { open: counts.open, bySeverity: counts.bySeverity, byRule: counts.byRule },
    changes: { new: counts.new, resolved: counts.resolved, reopened: counts.reopened },
  };
}
