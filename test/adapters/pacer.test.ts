import { describe, expect, it } from 'vitest';
import {
  QuotaPacer,
  parseResetsAfter,
  parseRetryAfter,
  type PacerClock,
} from '../../src/adapters/resource-graph/pacer.js';

function fakeClock(): PacerClock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

describe('quota headers', () => {
  it('parses hh:mm:ss, fractions and days; rejects garbage', () => {
    expect(parseResetsAfter('00:00:05')).toBe(5000);
    expect(parseResetsAfter('00:00:04.2500000')).toBe(4250);
    expect(parseResetsAfter('01:02:03')).toBe(3_723_000);
    expect(parseResetsAfter('1.00:00:01')).toBe(86_401_000);
    expect(parseResetsAfter('soon')).toBeUndefined();
    expect(parseResetsAfter(undefined)).toBeUndefined();
  });
  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('later', 0)).toBeUndefined();
  });
});

describe('QuotaPacer', () => {
  it('sends freely while quota remains, then waits exactly for the reset', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer(clock, 10);
    for (let i = 2; i >= 0; i--) {
      await pacer.acquire();
      pacer.observe({ status: 200, remaining: String(i), resetsAfter: '00:00:04.0000000' });
    }
    expect(clock.slept).toEqual([]);
    await pacer.acquire();
    expect(clock.slept).toEqual([4010]);
    pacer.observe({ status: 200, remaining: '14', resetsAfter: '00:00:05' });
    await pacer.acquire();
    expect(clock.slept).toEqual([4010]);
  });

  it('counts requests in flight against the remaining quota', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer(clock, 0);
    await pacer.acquire();
    pacer.observe({ status: 200, remaining: '2', resetsAfter: '00:00:01' });
    await pacer.acquire();
    await pacer.acquire();
    // Two in flight use the two remaining requests: the third must wait for the window.
    await pacer.acquire();
    expect(clock.slept).toEqual([1000]);
  });

  it('after a 429 waits for Retry-After and counts it', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer(clock, 0);
    await pacer.acquire();
    pacer.observe({ status: 429, retryAfter: '2' });
    await pacer.acquire();
    expect(clock.slept).toEqual([2000]);
    expect(pacer.throttled).toBe(1);
  });
});
