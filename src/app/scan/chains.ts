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
