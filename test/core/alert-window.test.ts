import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_ALERT_MINUTES,
  isoMinutes,
  silenceAlertFor,
} from '../../src/core/alert-window.js';
import { scheduleIntervalMs } from '../../src/core/schedule.js';

const now = new Date('2026-11-26T12:00:00Z');
const forSchedule = (schedule: string) => silenceAlertFor(scheduleIntervalMs(schedule, now));

describe('the "scanner silent" alert window', () => {
  it.each([
    // schedule, window (smallest accepted >= two intervals), frequency
    ['0 0 */6 * * *', 1440, 60], // 2 x 6 h = 720 min: no accepted window between 360 and 1440
    ['0 */5 * * * *', 10, 5],
    ['0 */30 * * * *', 60, 15],
    ['0 0 * * * *', 120, 30],
    ['0 0 */2 * * *', 240, 60],
    ['0 0 */3 * * *', 360, 60],
    ['0 30 7 * * *', 2880, 60], // daily: two days, the longest window there is
  ])('%s: window %i min, every %i min', (schedule, windowMinutes, frequencyMinutes) => {
    expect(forSchedule(schedule)).toEqual({ ok: true, windowMinutes, frequencyMinutes });
  });

  it('always picks accepted values, a window of at least two intervals and a frequency within it', () => {
    for (let minutes = 1; minutes <= 1440; minutes += 7) {
      const result = silenceAlertFor(minutes * 60_000);
      if (!result.ok) throw new Error(`${minutes} min refused: ${result.message}`);
      expect(ACCEPTED_ALERT_MINUTES).toContain(result.windowMinutes);
      expect(ACCEPTED_ALERT_MINUTES).toContain(result.frequencyMinutes);
      expect(result.windowMinutes).toBeGreaterThanOrEqual(2 * minutes);
      expect(result.frequencyMinutes).toBeLessThanOrEqual(result.windowMinutes);
      expect(result.frequencyMinutes).toBeLessThanOrEqual(60);
    }
  });

  it('refuses a schedule whose two intervals exceed two days, saying why', () => {
    const weekdays = forSchedule('0 0 8 * * 1-5'); // Friday to Monday: 3 days
    expect(weekdays.ok).toBe(false);
    if (!weekdays.ok) expect(weekdays.message).toMatch(/SCAN_SCHEDULE .*72 h.*2880 min = 2 days/);
    expect(forSchedule('0 0 0 * * 0').ok).toBe(false); // weekly
    expect(silenceAlertFor(1440 * 60_000 + 1).ok).toBe(false);
    expect(silenceAlertFor(0).ok).toBe(false);
  });

  it('writes minutes as the ISO 8601 durations Bicep uses', () => {
    expect(isoMinutes(1440)).toBe('PT1440M');
  });
});
