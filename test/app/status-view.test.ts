// The status view is computed once per summary and UTC day, and still follows the clock across days.
import { describe, expect, it } from 'vitest';
import type { StatusSummary } from '../../src/app/ports.js';
import { statusView } from '../../src/app/read-status.js';
import { emptyCounts } from '../../src/core/lifecycle.js';

const summary: StatusSummary = {
  lastScan: {
    id: 'scan-1',
    trigger: 'timer',
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:01:00.000Z',
    status: 'succeeded',
    subscriptions: 1,
    subscriptionsComplete: 1,
    resources: 1,
    counts: emptyCounts(),
    incomplete: [],
    incompleteTotal: 0,
    ruleErrors: 0,
  },
  lastSucceededAt: '2026-12-01T00:01:00.000Z',
  totals: { ...emptyCounts(), open: 1, byRule: { 'retirement/x': 1, 'classic/a': 2 } },
  deadlines: [{ ruleId: 'retirement/x', deadline: '2026-12-03', count: 1 }],
};

describe('statusView', () => {
  it('answers from one computation per summary and day, with the clock fields fresh', () => {
    const a = statusView(summary, new Date('2026-12-01T10:00:00Z'));
    const b = statusView(summary, new Date('2026-12-01T10:00:05Z'));
    expect(b.deadlines).toBe(a.deadlines);
    expect(b.generatedAt).toBe('2026-12-01T10:00:05.000Z');
    expect(b.freshness.ageSeconds).toBeGreaterThan(a.freshness.ageSeconds ?? 0);
    expect(Object.keys(a.findings.byRule)).toEqual(['classic/a', 'retirement/x']);
  });

  it('recomputes urgency on another day', () => {
    const today = statusView(summary, new Date('2026-12-01T23:59:00Z'));
    const later = statusView(summary, new Date('2026-12-04T00:00:00Z'));
    expect(today.deadlines.rules[0]?.urgency).toBe('due-7');
    expect(later.deadlines.rules[0]?.urgency).toBe('overdue');
  });
});
