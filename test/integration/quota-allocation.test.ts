// The quota allocation through the real @azure/data-tables client against Azurite: one entity, changed under its ETag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { TableQuotaAllocation } from '../../src/adapters/tables/quota-allocation.js';
import type { ConsumerEntry } from '../../src/adapters/resource-graph/shared-quota.js';

let azurite: RunningAzurite;
let n = 0;
function allocation(prefix: string): TableQuotaAllocation {
  return new TableQuotaAllocation({
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

const entry = (claim: number, until: number, demand = 1): ConsumerEntry => ({
  until,
  demand,
  claim,
});

describe('TableQuotaAllocation against Azurite', () => {
  it('keeps each consumer entry, drops expired ones, and removes a leaver', async () => {
    const prefix = `q${++n}x`;
    const a = allocation(prefix);
    const b = allocation(prefix);
    const now = 1_000_000;
    const first = await a.update(
      'a',
      (others, mine) => {
        expect(others.size).toBe(0);
        expect(mine).toBeUndefined();
        return entry(15, now + 5000);
      },
      now,
    );
    expect(first.mine.claim).toBe(15);
    const second = await b.update(
      'b',
      (others) => {
        expect([...others.keys()]).toEqual(['a']);
        return entry(0, now + 10_000);
      },
      now,
    );
    expect([...second.others.keys()]).toEqual(['a']);
    // 6 s later, a has not renewed: gone.
    const third = await b.update(
      'b',
      (others, mine) => {
        expect(others.size).toBe(0);
        expect(mine?.claim).toBe(0);
        return entry(15, now + 11_000);
      },
      now + 6000,
    );
    expect(third.others.size).toBe(0);
    await b.leave('b');
    await a.update(
      'a',
      (others) => {
        expect(others.size).toBe(0);
        return entry(15, now + 12_000);
      },
      now + 7000,
    );
  });

  it('applies concurrent changes one after the other: no claim is decided on a stale view', async () => {
    const prefix = `q${++n}x`;
    const now = 2_000_000;
    // Ten consumers join at once, each taking what the others leave of 15.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        allocation(prefix).update(
          `c${i}`,
          (others) => {
            let held = 0;
            for (const e of others.values()) held += e.claim;
            return entry(Math.min(3, 15 - held), now + 5000);
          },
          now,
        ),
      ),
    );
    const total = results.reduce((sum, r) => sum + r.mine.claim, 0);
    expect(total).toBe(15);
  });
});
