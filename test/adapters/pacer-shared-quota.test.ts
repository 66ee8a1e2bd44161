// Several pacers (worker processes, Functions instances) sharing one identity's Resource Graph quota, in simulated
// time: the emulator's own fixed-window quota, answers that take a second, and chains of pages on each pacer.
import { describe, expect, it } from 'vitest';
import { FixedWindowQuota, formatTimeSpan } from '../../dev/emulators/resource-graph/quota.js';
import { mulberry32 } from '../../dev/tenants/random.js';
import { QuotaPacer, type PacerClock } from '../../src/adapters/resource-graph/pacer.js';
import {
  SharedQuota,
  decideCap,
  decideClaim,
  type ConsumerEntry,
  type QuotaAllocation,
} from '../../src/adapters/resource-graph/shared-quota.js';

/** Virtual time: sleepers wake in time order; `run` drains every event (and the promises each wakes). */
class Simulation implements PacerClock {
  t = 0;
  private readonly timers: { at: number; order: number; wake: () => void }[] = [];
  private order = 0;
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) =>
      this.timers.push({ at: this.t + Math.max(0, ms), order: this.order++, wake }),
    );
  async run(until: Promise<unknown>): Promise<void> {
    let done = false;
    void until.then(() => (done = true));
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (done) return;
      this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.timers.shift();
      if (!next) throw new Error('simulation stalled: nothing scheduled and not done');
      this.t = Math.max(this.t, next.at);
      next.wake();
    }
  }
}

interface Service {
  readonly quota: FixedWindowQuota;
  throttled: number;
  served: number;
  readonly perWindow: Map<number, number>;
}

/** One page through a pacer: acquire, reach the service, get an answer after the latency model, observe; retry 429s. */
async function page(
  sim: Simulation,
  service: Service,
  pacer: QuotaPacer,
  random: () => number,
  pagesLeft: number,
) {
  for (;;) {
    const ticket = await pacer.acquire(undefined, pagesLeft);
    await sim.sleep(10 + 30 * random()); // to the service
    const arrived = sim.t;
    if (service.quota.exhausted(arrived)) {
      service.throttled++;
      const state = service.quota.state(arrived);
      await sim.sleep(10);
      pacer.observe(
        {
          status: 429,
          remaining: '0',
          resetsAfter: formatTimeSpan(state.resetsAfterMs),
          retryAfter: String(Math.max(1, Math.ceil(state.resetsAfterMs / 1000))),
        },
        ticket,
      );
      // As the source does: the attempt again after Retry-After.
      await sim.sleep(Math.max(1, Math.ceil(state.resetsAfterMs / 1000)) * 1000);
      continue;
    }
    service.quota.charge(arrived);
    const state = service.quota.state(arrived);
    const window = Math.round(arrived + state.resetsAfterMs);
    service.perWindow.set(window, (service.perWindow.get(window) ?? 0) + 1);
    service.served++;
    // A full page: 300 ms + 0.7 ms a row for 1,000 rows, ±20 % (the emulator's default model), then the way back.
    await sim.sleep(1000 * (0.8 + 0.4 * random()) + 10);
    pacer.observe(
      {
        status: 200,
        remaining: String(state.remaining),
        resetsAfter: formatTimeSpan(state.resetsAfterMs),
      },
      ticket,
    );
    return;
  }
}

/** The allocation, in memory: each change is atomic (as under an ETag) and lands a few milliseconds later. */
class Allocation implements QuotaAllocation {
  readonly entries = new Map<string, ConsumerEntry>();
  changes = 0;
  constructor(private readonly sim: Simulation) {}
  async update(
    id: string,
    decide: (
      others: ReadonlyMap<string, ConsumerEntry>,
      mine: ConsumerEntry | undefined,
    ) => ConsumerEntry,
    now: number,
  ): Promise<{ others: ReadonlyMap<string, ConsumerEntry>; mine: ConsumerEntry }> {
    await this.sim.sleep(8);
    for (const [key, entry] of this.entries) if (!(entry.until > now)) this.entries.delete(key);
    const mine = this.entries.get(id);
    const others = new Map([...this.entries].filter(([key]) => key !== id));
    const next = decide(others, mine);
    this.entries.set(id, next);
    this.changes++;
    // What the claims add up to never passes the window.
    let held = 0;
    for (const entry of this.entries.values()) held += entry.claim;
    if (held > QUOTA.requests) throw new Error(`claims add up to ${held}`);
    await this.sim.sleep(8);
    return { others, mine: next };
  }
  async leave(id: string): Promise<void> {
    await this.sim.sleep(8);
    this.entries.delete(id);
  }
}

/**
 * A worker: `chains` chains of `pages` sequential pages each, on its own pacer, starting at `startAt`; in the
 * allocation when given (as queue workers are). With `pauses`, each chain stops for 3 s every 5 pages (a worker
 * whose store cannot keep up: it wants nothing meanwhile).
 */
async function worker(
  sim: Simulation,
  service: Service,
  options: {
    chains: number;
    pages: number;
    startAt?: number;
    seed: number;
    allocation?: Allocation;
    pauses?: boolean;
  },
): Promise<number> {
  const random = mulberry32(options.seed);
  if (options.startAt) await sim.sleep(options.startAt);
  const pacer = new QuotaPacer(sim);
  const shared = options.allocation
    ? new SharedQuota(options.allocation, pacer, { clock: sim })
    : undefined;
  await Promise.all(
    Array.from({ length: options.chains }, async () => {
      for (let left = options.pages; left > 0; left--) {
        shared?.touch();
        await page(sim, service, pacer, random, left);
        if (options.pauses && left % 5 === 0) await sim.sleep(3000);
      }
    }),
  );
  await shared?.stop();
  return sim.t;
}

const QUOTA = { requests: 15, windowMs: 5000 };
/** The floor of N pages: ceil(N / 15) windows, the last one not waited out but its page's second. */
const floorMs = (pages: number) => (Math.ceil(pages / QUOTA.requests) - 1) * QUOTA.windowMs + 1000;

function service(): Service {
  return { quota: new FixedWindowQuota(QUOTA), throttled: 0, served: 0, perWindow: new Map() };
}

describe('QuotaPacer sharing one quota with other processes (simulated time)', () => {
  it('alone, stays at the floor with no 429', async () => {
    const sim = new Simulation();
    const s = service();
    await sim.run(worker(sim, s, { chains: 8, pages: 30, seed: 1 }));
    expect(s.throttled).toBe(0);
    expect(s.served).toBe(240);
    expect(sim.t / floorMs(240)).toBeLessThan(1.06);
  });

  it('two registered workers, started together or apart, with uneven work: no 429, near the floor', async () => {
    const ratios: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const sim = new Simulation();
      const s = service();
      const allocation = new Allocation(sim);
      const all = Promise.all([
        worker(sim, s, { chains: 6, pages: 20, seed: seed * 2, allocation }),
        worker(sim, s, {
          chains: 6,
          pages: 20 + (seed % 7) * 3,
          seed: seed * 2 + 1,
          allocation,
          startAt: (seed % 5) * 700,
        }),
      ]);
      await sim.run(all);
      expect(s.throttled, `seed ${seed}`).toBe(0);
      ratios.push(sim.t / floorMs(s.served));
    }
    expect(Math.max(...ratios)).toBeLessThan(1.08);
  });

  it('unregistered pacers started together (another tool on the same identity): the answers reveal each other', async () => {
    const sim = new Simulation();
    const s = service();
    const all = Promise.all([
      worker(sim, s, { chains: 6, pages: 20, seed: 1 }),
      worker(sim, s, { chains: 6, pages: 20, seed: 2 }),
    ]);
    await sim.run(all);
    expect(s.served).toBe(240);
    expect(s.throttled).toBeLessThanOrEqual(15);
  });

  it('a worker joining one that is using the whole quota waits for the window the other spends: no 429', async () => {
    const sim = new Simulation();
    const s = service();
    const allocation = new Allocation(sim);
    const all = Promise.all([
      worker(sim, s, { chains: 8, pages: 25, seed: 3, allocation }),
      worker(sim, s, { chains: 4, pages: 10, startAt: 21_000, seed: 4, allocation }),
    ]);
    await sim.run(all);
    expect(s.served).toBe(240);
    expect(s.throttled).toBe(0);
    expect(sim.t / floorMs(240)).toBeLessThan(1.12);
  });

  it('two registered workers whose chains stop now and then (a slow store): the other takes what one leaves', async () => {
    const ratios: number[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const sim = new Simulation();
      const s = service();
      const allocation = new Allocation(sim);
      const all = Promise.all([
        worker(sim, s, { chains: 6, pages: 25, seed: seed * 2, allocation, pauses: true }),
        worker(sim, s, {
          chains: 6,
          pages: 25,
          seed: seed * 2 + 1,
          allocation,
          pauses: true,
          startAt: seed * 300,
        }),
      ]);
      await sim.run(all);
      expect(s.throttled, `seed ${seed}`).toBe(0);
      ratios.push(sim.t / floorMs(s.served));
    }
    // One pacer with the same twelve chains: 1.02-1.06 (the current window's caps let the other take what a
    // stopped worker leaves; with claims alone, from the next window on, this was 1.12-1.24).
    expect(Math.max(...ratios)).toBeLessThan(1.1);
  });

  it('three registered workers started together', async () => {
    const sim = new Simulation();
    const s = service();
    const allocation = new Allocation(sim);
    const all = Promise.all(
      [1, 2, 3].map((seed) => worker(sim, s, { chains: 4, pages: 20, seed, allocation })),
    );
    await sim.run(all);
    expect(s.served).toBe(240);
    expect(s.throttled).toBe(0);
    expect(sim.t / floorMs(240)).toBeLessThan(1.15);
  });
});

describe('decideClaim', () => {
  const others = (...entries: [number, number][]) =>
    new Map(entries.map(([demand, claim], i) => [`o${i}`, { until: 1e12, demand, claim }]));
  it('takes a share of the window in proportion to demand, never more than the others leave', () => {
    expect(decideClaim(others(), 6, 15)).toBe(15);
    expect(decideClaim(others([6, 15]), 6, 15)).toBe(0);
    expect(decideClaim(others([6, 7]), 6, 15)).toBe(8);
    expect(decideClaim(others([9, 5]), 3, 15)).toBe(4);
  });
  it('keeps one request for a consumer that wants nothing now, and none before anyone knows the window', () => {
    expect(decideClaim(others([6, 10]), 0, 15)).toBe(1);
    expect(decideClaim(others(), 2, undefined)).toBe(1);
    expect(decideClaim(others([2, 1]), 2, undefined)).toBe(0);
  });
});

describe('decideCap', () => {
  const at = (windowEndsAt: number, claim: number, cap?: number, used?: number) =>
    new Map([['o', { until: 1e12, demand: 1, claim, windowEndsAt, cap, used }]]);
  it("takes what the others' caps leave of this window, as far as it wants", () => {
    // The other holds 7 of this window and has used 3: 8 are free; this one has used 2 and wants 4.
    expect(decideCap(at(5000, 7, 7, 3), 4, 2, 15, 5010)).toBe(6);
    // The other capped itself at what it used (it wants nothing more): the rest is this one's.
    expect(decideCap(at(5000, 7, 3, 3), 20, 2, 15, 5010)).toBe(12);
    // Wanting nothing: its cap is what it used, the rest free for the others.
    expect(decideCap(at(5000, 7, 7, 3), 0, 2, 15, 5010)).toBe(2);
  });
  it('counts another whose entry is about another window with its claim, and one that used more than its cap', () => {
    expect(decideCap(at(1000, 9, 3, 3), 20, 0, 15, 5010)).toBe(6);
    expect(decideCap(at(5000, 5, 5, 9), 20, 0, 15, 5010)).toBe(6);
  });
});

describe('SharedQuota', () => {
  /** Grants a request from `pacer` and answers it at once (a fresh window of 15): when did it go? */
  async function oneRequest(pacer: QuotaPacer): Promise<number> {
    const ticket = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '14', resetsAfter: '00:00:05' }, ticket);
    return ticket.sentAt;
  }

  it('alone, sends at once; leaves when idle, and comes back under a new name', async () => {
    const sim = new Simulation();
    const allocation = new Allocation(sim);
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(allocation, pacer, { clock: sim, idleMs: 2000 });
    shared.touch();
    let sentAt = -1;
    await sim.run(oneRequest(pacer).then((t) => (sentAt = t)));
    // The allocation's answer (16 ms), then the request.
    expect(sentAt).toBe(16);
    const [first] = [...allocation.entries.keys()];
    await sim.run(sim.sleep(1100));
    // Wanting nothing now, it keeps one request of the window (for when it wants more), and says how large it is.
    expect(allocation.entries.get(first as string)).toMatchObject({
      claim: 1,
      demand: 0,
      limit: 15,
    });
    // Idle for 2 s: it claims nothing more, and what it sent in its window counts until that window ends.
    await sim.run(sim.sleep(3000));
    expect(allocation.entries.get(first as string)).toMatchObject({ claim: 0, used: 1, cap: 1 });
    await sim.run(sim.sleep(3000));
    expect(allocation.entries.get(first as string)?.until).toBeLessThan(sim.t);
    shared.touch();
    await sim.run(oneRequest(pacer));
    expect(allocation.entries.size).toBe(1);
    const [second] = [...allocation.entries.keys()];
    expect(second).not.toBe(first);
    await sim.run(shared.stop());
    expect(allocation.entries.get(second as string)).toMatchObject({ claim: 0, demand: 0 });
  });

  it('joining another that holds the window: nothing until the other gives up a share, then from its next window', async () => {
    const sim = new Simulation();
    const allocation = new Allocation(sim);
    allocation.entries.set('other', {
      until: 4000,
      demand: 6,
      claim: 15,
      limit: 15,
      windowEndsAt: 2500,
      used: 15,
      cap: 15,
    });
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(allocation, pacer, { clock: sim, refreshMs: 1000 });
    shared.touch();
    let sentAt = -1;
    const request = oneRequest(pacer).then((t) => (sentAt = t));
    await sim.run(sim.sleep(1500));
    expect(sentAt).toBe(-1);
    // The other renews (its share shrinks to its demand's part, at once for it).
    await sim.run(
      allocation.update(
        'other',
        (rest) => ({
          until: 6000,
          demand: 6,
          claim: decideClaim(rest, 6, 15),
          limit: 15,
          windowEndsAt: 2500,
          used: 15,
          cap: 15,
        }),
        sim.t,
      ),
    );
    await sim.run(request);
    // Its claim from the joiner's next renewal (2 s), used from the other's window end (2.5 s) and the slack.
    expect(sentAt).toBe(2550);
    expect(allocation.entries.get('other')?.claim).toBe(13);
    await sim.run(shared.stop());
  });

  it('an allocation that fails: warns once, and the pacer goes by the answers alone', async () => {
    const sim = new Simulation();
    const warnings: string[] = [];
    const broken: QuotaAllocation = {
      update: () => Promise.reject(new Error('table unreachable')),
      leave: () => Promise.reject(new Error('table unreachable')),
    };
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(broken, pacer, {
      clock: sim,
      warn: (message) => warnings.push(message),
    });
    shared.touch();
    await sim.run(oneRequest(pacer));
    await sim.run(sim.sleep(1500));
    expect(warnings).toHaveLength(1);
    await sim.run(shared.stop());
  });
});
