// Several pacers (worker processes, Functions instances) sharing one identity's Resource Graph quota, in simulated
// time: the emulator's own fixed-window quota, answers that take a second, and chains of pages on each pacer.
import { describe, expect, it } from 'vitest';
import { FixedWindowQuota, formatTimeSpan } from '../../dev/emulators/resource-graph/quota.js';
import { mulberry32 } from '../../dev/tenants/random.js';
import { QuotaPacer, type PacerClock } from '../../src/adapters/resource-graph/pacer.js';
import {
  SharedQuota,
  type ConsumerBeat,
  type ConsumersNow,
  type QuotaConsumers,
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

/** The registry of consumers, in memory, answering after a few milliseconds as a table would. */
class Registry implements QuotaConsumers {
  readonly rows = new Map<string, ConsumerBeat>();
  constructor(private readonly sim: Simulation) {}
  async beat(id: string, beat: ConsumerBeat, now: number): Promise<ConsumersNow> {
    await this.sim.sleep(8);
    this.rows.set(id, beat);
    await this.sim.sleep(8);
    const live = [...this.rows].filter(([key, row]) => key === id || row.until > now);
    const most = (values: (number | undefined)[]) => {
      const known = values.filter((v): v is number => v !== undefined);
      return known.length > 0 ? Math.max(...known) : undefined;
    };
    return {
      count: live.length,
      limit: most(live.map(([, row]) => row.limit)),
      windowEndsAt: most(live.map(([, row]) => row.windowEndsAt)),
    };
  }
  async leave(id: string): Promise<void> {
    await this.sim.sleep(8);
    this.rows.delete(id);
  }
}

/**
 * A worker: `chains` chains of `pages` sequential pages each, on its own pacer, starting at `startAt`; registered
 * in `registry` when given (as queue workers are).
 */
async function worker(
  sim: Simulation,
  service: Service,
  options: { chains: number; pages: number; startAt?: number; seed: number; registry?: Registry },
): Promise<number> {
  const random = mulberry32(options.seed);
  if (options.startAt) await sim.sleep(options.startAt);
  const pacer = new QuotaPacer(sim);
  const shared = options.registry
    ? new SharedQuota(options.registry, pacer, { clock: sim })
    : undefined;
  await Promise.all(
    Array.from({ length: options.chains }, async () => {
      for (let left = options.pages; left > 0; left--) {
        shared?.touch();
        await page(sim, service, pacer, random, left);
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
      const registry = new Registry(sim);
      const all = Promise.all([
        worker(sim, s, { chains: 6, pages: 20, seed: seed * 2, registry }),
        worker(sim, s, {
          chains: 6,
          pages: 20 + (seed % 7) * 3,
          seed: seed * 2 + 1,
          registry,
          startAt: (seed % 5) * 700,
        }),
      ]);
      await sim.run(all);
      expect(s.throttled, `seed ${seed}`).toBe(0);
      ratios.push(sim.t / floorMs(s.served));
    }
    expect(Math.max(...ratios)).toBeLessThan(1.15);
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
    const registry = new Registry(sim);
    const all = Promise.all([
      worker(sim, s, { chains: 8, pages: 25, seed: 3, registry }),
      worker(sim, s, { chains: 4, pages: 10, startAt: 21_000, seed: 4, registry }),
    ]);
    await sim.run(all);
    expect(s.served).toBe(240);
    expect(s.throttled).toBe(0);
    expect(sim.t / floorMs(240)).toBeLessThan(1.12);
  });

  it('three registered workers started together', async () => {
    const sim = new Simulation();
    const s = service();
    const registry = new Registry(sim);
    const all = Promise.all(
      [1, 2, 3].map((seed) => worker(sim, s, { chains: 4, pages: 20, seed, registry })),
    );
    await sim.run(all);
    expect(s.served).toBe(240);
    expect(s.throttled).toBe(0);
    expect(sim.t / floorMs(240)).toBeLessThan(1.15);
  });
});

describe('SharedQuota', () => {
  /** Grants a request from `pacer` and answers it at once (a fresh window of 15): when did it go? */
  async function oneRequest(sim: Simulation, pacer: QuotaPacer): Promise<number> {
    const ticket = await pacer.acquire();
    pacer.observe({ status: 200, remaining: '14', resetsAfter: '00:00:05' }, ticket);
    return ticket.sentAt;
  }

  it('alone in the registry, starts at once; leaves when idle, and comes back under a new name', async () => {
    const sim = new Simulation();
    const registry = new Registry(sim);
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(registry, pacer, { clock: sim, idleMs: 2000 });
    shared.touch();
    let sentAt = -1;
    await sim.run(oneRequest(sim, pacer).then((t) => (sentAt = t)));
    // The registry's answer (16 ms), then the request.
    expect(sentAt).toBe(16);
    expect(registry.rows.size).toBe(1);
    const first = [...registry.rows.keys()][0];
    // Idle for 2 s: gone.
    await sim.run(sim.sleep(3500));
    expect(registry.rows.size).toBe(0);
    shared.touch();
    await sim.run(oneRequest(sim, pacer));
    expect(registry.rows.size).toBe(1);
    expect([...registry.rows.keys()][0]).not.toBe(first);
    await sim.run(shared.stop());
    expect(registry.rows.size).toBe(0);
  });

  it('joining others, waits until they have read the registry since and their window is over', async () => {
    const sim = new Simulation();
    const registry = new Registry(sim);
    registry.rows.set('other', { until: 60_000, limit: 15, windowEndsAt: 3000 });
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(registry, pacer, { clock: sim, refreshMs: 1000 });
    shared.touch();
    let sentAt = -1;
    await sim.run(oneRequest(sim, pacer).then((t) => (sentAt = t)));
    // The other's window ends at 3 s (later than a refresh from now): 3 s and the slack.
    expect(sentAt).toBe(3100);
    // It learned the other's window size and shares with it.
    expect(pacer.knownLimit()).toBe(15);
    expect(pacer.sharers()).toBe(2);
    await sim.run(shared.stop());
  });

  it('a registry that fails: warns once, and the pacer goes on alone', async () => {
    const sim = new Simulation();
    const warnings: string[] = [];
    const broken: QuotaConsumers = {
      beat: () => Promise.reject(new Error('table unreachable')),
      leave: () => Promise.reject(new Error('table unreachable')),
    };
    const pacer = new QuotaPacer(sim);
    const shared = new SharedQuota(broken, pacer, {
      clock: sim,
      warn: (message) => warnings.push(message),
    });
    shared.touch();
    await sim.run(oneRequest(sim, pacer));
    await sim.run(sim.sleep(1500));
    expect(warnings).toHaveLength(1);
    expect(pacer.sharers()).toBe(1);
    await sim.run(shared.stop());
  });
});

describe('QuotaPacer.pauseUntil', () => {
  it('arms no timer for a pause without end (setTimeout would fire it at once), and one for a timed pause', async () => {
    const slept: number[] = [];
    const clock: PacerClock = {
      now: () => 0,
      sleep: (ms) => {
        slept.push(ms);
        return new Promise<void>(() => undefined);
      },
    };
    const pacer = new QuotaPacer(clock);
    pacer.pauseUntil(Number.POSITIVE_INFINITY);
    let granted = false;
    void pacer.acquire().then(() => (granted = true));
    await new Promise((r) => setImmediate(r));
    expect(granted).toBe(false);
    expect(slept).toEqual([]);
    pacer.pauseUntil(250);
    expect(slept).toEqual([250]);
    pacer.pauseUntil(0);
    await new Promise((r) => setImmediate(r));
    expect(granted).toBe(true);
  });
});
