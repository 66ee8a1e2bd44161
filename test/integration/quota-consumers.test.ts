// The quota registry through the real @azure/data-tables client against Azurite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { TableQuotaConsumers } from '../../src/adapters/tables/quota-consumers.js';

let azurite: RunningAzurite;
let n = 0;
function registry(prefix = `q${++n}x`): TableQuotaConsumers {
  return new TableQuotaConsumers({
    connection: { kind: 'connectionString', value: azurite.connectionString },
    prefix,
  });
}

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('TableQuotaConsumers against Azurite', () => {
  it('counts the live consumers, the largest window and the latest window end; a leaver stops counting', async () => {
    const prefix = `q${++n}x`;
    const a = registry(prefix);
    const b = registry(prefix);
    const now = 1_000_000;
    expect(await a.beat('a', { until: now + 15_000 }, now)).toEqual({
      count: 1,
      limit: undefined,
      windowEndsAt: undefined,
    });
    expect(
      await b.beat('b', { until: now + 15_000, limit: 15, windowEndsAt: now + 3000 }, now),
    ).toEqual({ count: 2, limit: 15, windowEndsAt: now + 3000 });
    // A window end already past says nothing.
    expect(
      await a.beat('a', { until: now + 16_000, limit: 14, windowEndsAt: now + 500 }, now + 1000),
    ).toEqual({ count: 2, limit: 15, windowEndsAt: now + 3000 });
    await b.leave('b');
    expect((await a.beat('a', { until: now + 17_000 }, now + 2000)).count).toBe(1);
    // Leaving twice (a late leave of an old stay) is no error.
    await b.leave('b');
  });

  it("drops the row of a consumer that died once it expires, and keeps the caller's own", async () => {
    const prefix = `q${++n}x`;
    const live = registry(prefix);
    const dead = registry(prefix);
    const now = 2_000_000;
    await dead.beat('dead', { until: now + 15_000 }, now);
    expect((await live.beat('live', { until: now + 15_000 }, now)).count).toBe(2);
    // 16 s later the dead one has not renewed: it counts no more, and its row is gone for every reader.
    expect((await live.beat('live', { until: now + 31_000 }, now + 16_000)).count).toBe(1);
    expect(
      (await registry(prefix).beat('other', { until: now + 31_000 }, now + 16_000)).count,
    ).toBe(2);
  });
});
