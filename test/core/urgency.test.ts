import { describe, expect, it } from 'vitest';
import { daysUntil, urgencyOf } from '../../src/core/urgency.js';

describe('urgencyOf', () => {
  const now = new Date('2026-11-26T15:00:00Z');
  it.each([
    ['2026-11-25', 'overdue'],
    ['2026-11-26', 'due-7'],
    ['2026-12-03', 'due-7'],
    ['2026-12-04', 'due-30'],
    ['2027-02-24', 'due-90'],
    ['2027-05-25', 'due-180'],
    ['2027-05-26', 'later'],
    ['2028-09-30', 'later'],
  ])('%s is %s on 2026-11-26', (deadline, urgency) => {
    expect(urgencyOf(deadline, now)).toBe(urgency);
  });
  it('counts whole UTC days', () => {
    expect(daysUntil('2026-11-27', now)).toBe(1);
  });
  it('honours configured thresholds', () => {
    expect(urgencyOf('2026-12-10', now, { due7: 14, due30: 30, due90: 90, due180: 180 })).toBe(
      'due-7',
    );
  });
});
