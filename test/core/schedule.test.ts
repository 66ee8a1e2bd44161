import { describe, expect, it } from 'vitest';
import { freshnessOf, scheduleIntervalMs } from '../../src/core/schedule.js';

describe('schedules and staleness', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  it('measures the interval of a schedule', () => {
    expect(scheduleIntervalMs('0 0 */6 * * *', now)).toBe(6 * 3_600_000);
    expect(scheduleIntervalMs('0 */5 * * * *', now)).toBe(300_000);
    // Weekdays only: the widest gap (Friday to Monday) is what counts.
    expect(scheduleIntervalMs('0 0 8 * * 1-5', now)).toBe(3 * 86_400_000);
  });
  it('is stale past two intervals without a succeeded scan', () => {
    expect(freshnessOf('2026-11-26T06:00:00Z', '0 0 */6 * * *', now)).toMatchObject({
      stale: false,
      ageSeconds: 21_600,
    });
    expect(freshnessOf('2026-11-26T00:00:00Z', '0 0 */6 * * *', now).stale).toBe(false);
    expect(freshnessOf('2026-11-25T23:59:59Z', '0 0 */6 * * *', now)).toMatchObject({
      stale: true,
      staleAfterSeconds: 43_200,
    });
    expect(freshnessOf(undefined, '0 0 */6 * * *', now)).toMatchObject({
      stale: true,
      lastSucceededAt: null,
    });
  });
});
