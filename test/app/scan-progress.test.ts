// A long scan's progress: the figures (done of total, pages, rows, time waiting on the quota, time left), the line a
// terminal shows, the status API's lastScan.progress while it runs, and the dashboard's line.
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/core/lifecycle.js';
import { formatProgress, progressOf } from '../../src/core/progress.js';
import { statusView } from '../../src/app/read-status.js';
import type { ScanRecord, StatusSummary } from '../../src/app/ports.js';
import { renderDashboard } from '../../src/views/dashboard.js';
import { dashboardFixture } from '../views/dashboard-fixture.js';

const counts = {
  subscriptionsDone: 500,
  subscriptionsTotal: 2000,
  batchesDone: 2,
  batchesTotal: 7,
  pages: 40,
  rows: 38_000,
  waitedMs: 12_500,
};

function running(
  progress = progressOf(counts, '2026-12-01T10:00:00Z', new Date('2026-12-01T10:01:40Z')),
): ScanRecord {
  return {
    id: 'scan-now',
    trigger: 'timer',
    startedAt: '2026-12-01T10:00:00Z',
    status: 'running',
    subscriptions: 2000,
    subscriptionsComplete: 0,
    resources: 0,
    counts: emptyCounts(),
    incomplete: [],
    incompleteTotal: 0,
    ruleErrors: 0,
    progress,
  };
}

describe('scan progress', () => {
  it('estimates the time left from the pace so far', () => {
    const p = progressOf(counts, '2026-12-01T10:00:00Z', new Date('2026-12-01T10:01:40Z'));
    // 500 of 2,000 in 100 s: 1,500 more take 300 s.
    expect(p).toMatchObject({ ...counts, etaSeconds: 300, updatedAt: '2026-12-01T10:01:40.000Z' });
    expect(
      progressOf(
        { ...counts, subscriptionsDone: 0 },
        '2026-12-01T10:00:00Z',
        new Date('2026-12-01T10:00:10Z'),
      ).etaSeconds,
    ).toBeUndefined();
  });

  it('reads as one line a person can follow', () => {
    expect(formatProgress(running().progress!)).toBe(
      '500/2,000 subscriptions · 40 pages · 38,000 rows · waited 13 s on the quota · about 5 min 0 s left',
    );
  });

  it('is the status API lastScan.progress while a scan runs, with the findings of the last ended scan', () => {
    const ended: ScanRecord = {
      ...running(),
      id: 'scan-before',
      status: 'succeeded',
      endedAt: '2026-12-01T09:00:00Z',
    };
    const summary: StatusSummary = {
      lastScan: ended,
      totals: { ...emptyCounts(), open: 7 },
      deadlines: [],
      running: running(),
    };
    const view = statusView(summary, new Date('2026-12-01T10:02:00Z'));
    expect(view.lastScan).toMatchObject({
      id: 'scan-now',
      status: 'running',
      progress: { subscriptionsDone: 500, etaSeconds: 300 },
    });
    expect(view.findings.open).toBe(7);
    // Without a running scan, the last ended one.
    expect(statusView({ ...summary, running: undefined }, new Date()).lastScan?.id).toBe(
      'scan-before',
    );
  });

  it('shows on the dashboard while the scan runs', () => {
    const model = dashboardFixture();
    const page = renderDashboard(
      {
        ...model,
        status: { ...model.status, lastScan: { ...running(), counts: undefined } as never },
      },
      { nonce: 'r4nd0mN0nce+/AbCdEfGh==' },
    );
    expect(page).toContain('500/2,000 subscriptions');
    expect(page).toContain('about 5 min 0 s left');
    expect(renderDashboard(model, { nonce: 'r4nd0mN0nce+/AbCdEfGh==' })).not.toContain(
      'subscriptions · ',
    );
  });
});
