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
    // Retry-After, and the slack a 429 grew (from none to 50 ms).
    expect(clock.slept).toEqual([2050]);
    expect(pacer.throttled).toBe(1);
  });

  it('doubles its slack after each 429 (the window ended later than estimated), up to a second', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer(clock, 25);
    const margins: number[] = [];
    for (let i = 0; i < 7; i++) {
      await pacer.acquire();
      pacer.observe({ status: 429, retryAfter: '1' });
      margins.push(pacer.margin());
    }
    expect(margins).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    // The next request waits for Retry-After and the grown slack.
    const before = clock.slept.length;
    await pacer.acquire();
    expect(clock.slept.slice(before)).toEqual([2000]);
  });
});

describe('QuotaPacer slack after a burst of 429s', () => {
  it('grows once a window, by the error the 429 shows, not twice per 429 up to a second', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 25);
    // A window of 15 believed to end at 5 s.
    const first = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '14', resetsAfter: '00:00:05' }, first);
    for (let i = 0; i < 14; i++) {
      const t = await pacer.acquire();
      pacer.observe({ status: 200, remaining: String(13 - i), resetsAfter: '00:00:05' }, t);
    }
    // Past the believed end and the slack: a fresh window's burst, but the service's window still had 40 ms to go.
    const burst = Array.from({ length: 15 }, () => pacer.acquire());
    await clock.advance(5030);
    const tickets = await Promise.all(burst);
    for (const t of tickets)
      pacer.observe(
        { status: 429, retryAfter: '1', resetsAfter: '00:00:00.0400000', remaining: '0' },
        t,
      );
    // 5,030 + 40 − 5,000 + 10: what was missing, once — not 1,000 ms after fifteen doublings.
    expect(pacer.margin()).toBe(80);
    expect(pacer.throttled).toBe(15);
  });
});

/** A clock whose time moves only when the test says so; sleepers wake in time order. */
function manualClock(): PacerClock & { t: number; advance(ms: number): Promise<void> } {
  const sleepers: { at: number; wake: () => void }[] = [];
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => sleepers.push({ at: clock.t + ms, wake: resolve })),
    async advance(ms: number) {
      const until = clock.t + ms;
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > until) break;
        sleepers.shift();
        clock.t = next.at;
        next.wake();
        await new Promise((r) => setImmediate(r));
      }
      clock.t = until;
      await new Promise((r) => setImmediate(r));
    },
  };
  return clock;
}

describe('QuotaPacer under latency', () => {
  it('sends one request at a time until an answer tells how large the window is', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 0);
    const first = await pacer.acquire();
    let second = false;
    void pacer.acquire().then(() => (second = true));
    await clock.advance(1);
    expect(second).toBe(false);
    pacer.observe({ status: 200, remaining: '14', resetsAfter: '00:00:05' }, first);
    await clock.advance(1);
    expect(second).toBe(true);
  });

  it('dates the window from when the request was sent, not from when its slow answer came', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 10);
    const ticket = await pacer.acquire();
    // The answer takes 900 ms; the service said, on arrival, 0 left and 5 s to go.
    clock.t = 900;
    pacer.observe({ status: 200, remaining: '0', resetsAfter: '00:00:05' }, ticket);
    let granted: number | undefined;
    void pacer.acquire().then((t) => (granted = t.sentAt));
    await clock.advance(4_000);
    expect(granted).toBeUndefined();
    await clock.advance(2_000);
    // 5,000 + the margin, not 5,900.
    expect(granted).toBe(5_010);
  });

  it('counts older requests still in flight and every later one against the newest answer', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 0);
    // The first answer tells the window (one request at a time until then).
    const t0 = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '9', resetsAfter: '00:00:05' }, t0);
    const a = await pacer.acquire();
    const b = await pacer.acquire();
    // b's answer comes first: 3 left as b arrived; a is still out (it may arrive after b).
    pacer.observe({ status: 200, remaining: '3', resetsAfter: '00:00:05' }, b);
    const c = await pacer.acquire();
    const d = await pacer.acquire();
    let extra = false;
    void pacer.acquire().then(() => (extra = true));
    await clock.advance(1);
    // 3 − a (older, in flight) − c − d = 0 left.
    expect(extra).toBe(false);
    expect([a.seq, b.seq, c.seq, d.seq]).toEqual([2, 3, 4, 5]);
    await clock.advance(5_000);
    expect(extra).toBe(true);
  });

  it('serves the chain with the most pages left first once the window resets', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 0);
    const first = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '2', resetsAfter: '00:00:01' }, first);
    await pacer.acquire();
    await pacer.acquire();
    const order: string[] = [];
    void pacer.acquire(undefined, 2).then(() => order.push('short'));
    void pacer.acquire(undefined, 40).then(() => order.push('long'));
    void pacer.acquire(undefined, 7).then(() => order.push('middle'));
    await clock.advance(1_000);
    expect(order).toEqual(['long', 'middle', 'short']);
  });

  it('lets a fresh window go no further than the largest window seen', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 0);
    const t1 = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '2', resetsAfter: '00:00:01' }, t1);
    await pacer.acquire();
    await pacer.acquire();
    await clock.advance(1_000);
    // A new window, nothing heard of it yet: 3 requests (remaining 2 + the one that reported it), not more.
    const granted: number[] = [];
    for (let i = 0; i < 4; i++) void pacer.acquire().then((t) => granted.push(t.seq));
    await clock.advance(1);
    expect(granted).toHaveLength(3);
  });
});

describe('QuotaPacer and a shared abort signal', () => {
  it('rejects every request waiting on an aborted signal, with one listener however many wait', async () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(clock, 0);
    const first = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '0', resetsAfter: '00:00:05' }, first);
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    const waiting = Array.from({ length: 20 }, () =>
      pacer.acquire(controller.signal).then(
        () => 'granted',
        () => 'aborted',
      ),
    );
    controller.abort(new Error('stop'));
    expect(await Promise.all(waiting)).toEqual(Array(20).fill('aborted'));
    expect(listeners).toBe(1);
  });
});
