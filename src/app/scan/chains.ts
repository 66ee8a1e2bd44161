// Several independent Resource Graph query chains at once: a `$skipToken` chain is sequential (each page waits for
// the one before), so under real latency one chain at a time leaves the quota idle. Every chain goes through the
// same source, hence the same pacer: quota is per identity.

/** How many query chains a stage runs at once by default (under the 15 requests a window allows). */
export const DEFAULT_CHAINS = 8;

/**
 * Runs `work` on every item, at most `limit` at once, in order of the items. Waits for all to settle; then
 * rethrows the first failure, if any.
 */
export async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/** Items run as they arrive, at most `limit` at once; `close` waits for every one, then rethrows the first failure. */
export interface ArrivalPool<T> {
  add(item: T): void;
  close(): Promise<void>;
}

/**
 * `eachConcurrently` for items that arrive over time (the subscriptions of an ARM listing, page after page): work
 * starts on the first while the next are still being listed. After a failure no new item starts.
 */
export function arrivalPool<T>(limit: number, work: (item: T) => Promise<void>): ArrivalPool<T> {
  const waiting: T[] = [];
  let active = 0;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const pump = (): void => {
    while (!failure && active < Math.max(1, limit) && waiting.length > 0) {
      const item = waiting.shift() as T;
      active++;
      work(item)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          active--;
          pump();
        });
    }
    if (closed && active === 0 && (failure || waiting.length === 0)) finish();
  };
  return {
    add(item) {
      if (closed) throw new Error('the pool is closed');
      waiting.push(item);
      pump();
    },
    async close() {
      closed = true;
      pump();
      await finished;
      if (failure) throw failure.error;
    },
  };
}
