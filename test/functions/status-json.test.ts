// GET /api/status answers the JSON of statusView, byte for byte, though it serializes the part that changes only
// with the summary and the day once; and a summary being re-read does not hold up the callers.
import { describe, expect, it } from 'vitest';
import type { StatusSummary } from '../../src/app/ports.js';
import { cachedSummary, statusView } from '../../src/app/read-status.js';
import { emptyCounts } from '../../src/core/lifecycle.js';
import { statusJson } from '../../src/functions/get-status.js';
import { json } from '../../src/functions/http.js';

const SCHEDULE = '0 0 */6 * * *';

function summaryOf(title: string): StatusSummary {
  return {
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
    totals: { ...emptyCounts(), open: 3, byRule: { 'retirement/x': 1, 'classic/a': 2 } },
    deadlines: [
      { ruleId: 'retirement/x', deadline: '2026-12-03', count: 1, service: 'Svc', title },
    ],
    refusedRecipients: [
      { address: 'a@evil.example', why: 'outside-domains', where: 'tag <b>', findings: 1 },
    ],
    refusedRecipientsTotal: 1,
  } as StatusSummary;
}

const expected = (s: StatusSummary | undefined, now: Date) =>
  json(200, statusView(s, now, undefined, SCHEDULE)).body;

describe('statusJson', () => {
  it('is the JSON of statusView, markup escaped, request after request, across days and summaries', () => {
    const first = summaryOf('</script><script>alert(1)</script> & more');
    const times = ['2026-12-01T10:00:00.000Z', '2026-12-01T10:00:07.123Z', '2026-12-04T00:00:00Z'];
    for (const t of times) {
      const now = new Date(t);
      const body = statusJson(first, now, undefined, SCHEDULE);
      expect(body).toBe(expected(first, now));
      expect(body).not.toMatch(/[<>&]/);
      expect(JSON.parse(body).deadlines.rules[0].title).toBe(
        '</script><script>alert(1)</script> & more',
      );
    }
    // Another summary (the next scan's) is serialized afresh, not answered from the first one's text.
    const next = summaryOf('another title');
    const now = new Date('2026-12-04T00:00:01Z');
    expect(statusJson(next, now, undefined, SCHEDULE)).toBe(expected(next, now));
    expect(statusJson(undefined, now, undefined, SCHEDULE)).toBe(expected(undefined, now));
  });
});

describe('cachedSummary', () => {
  /** A store whose reads answer only when told to, counted. */
  function slowStore() {
    const reads: { resolve: (s: StatusSummary | undefined) => void; reject: (e: Error) => void }[] =
      [];
    return {
      reads,
      readStatus: () =>
        new Promise<StatusSummary | undefined>((resolve, reject) =>
          reads.push({ resolve, reject }),
        ),
    };
  }
  const settled = async <T>(p: Promise<T>): Promise<T | 'waiting'> =>
    Promise.race([p, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 20))]);

  it('answers from the summary at hand while the next read is under way, up to the stale bound', async () => {
    const store = slowStore();
    let t = 0;
    const read = cachedSummary(store, 3_000, () => t, undefined, undefined, 30_000);
    const a = summaryOf('a');
    const b = summaryOf('b');
    // The first read is waited for: there is nothing at hand yet.
    const first = read();
    expect(await settled(first)).toBe('waiting');
    store.reads[0]?.resolve(a);
    expect(await first).toBe(a);
    // Past the 3 s, one read starts, and every caller meanwhile gets the summary at hand at once.
    t = 4_000;
    expect(await settled(read())).toBe(a);
    expect(await settled(read())).toBe(a);
    expect(store.reads).toHaveLength(2);
    store.reads[1]?.resolve(b);
    await new Promise((r) => setTimeout(r, 0));
    expect(await read()).toBe(b);
    // A read that fails leaves the summary at hand answering until it is too old; then the failure shows.
    t = 8_000;
    expect(await settled(read())).toBe(b);
    store.reads[2]?.reject(new Error('store down'));
    await new Promise((r) => setTimeout(r, 0));
    t = 40_000;
    const late = read();
    expect(await settled(late)).toBe('waiting');
    store.reads[3]?.reject(new Error('store down'));
    await expect(late).rejects.toThrow('store down');
  });

  it('without a stale bound, every caller past the ttl waits for the read', async () => {
    const store = slowStore();
    let t = 0;
    const read = cachedSummary(store, 3_000, () => t);
    const first = read();
    store.reads[0]?.resolve(summaryOf('a'));
    await first;
    t = 4_000;
    const next = read();
    expect(await settled(next)).toBe('waiting');
    store.reads[1]?.resolve(summaryOf('b'));
    expect((await next)?.deadlines[0]?.title).toBe('b');
  });
});
