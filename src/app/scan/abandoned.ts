// Scans that never ended (their process died, or the final write failed): marked failed once their lease is gone.
import type { FindingStore, ScanRecord } from '../ports.js';
import { withRecent } from './record-scan.js';

/** How many recent scan records are looked at. */
const LOOKBACK = 20;

export const ABANDONED = 'abandoned: the scan stopped before it could record its end';

/**
 * Marks `running` scan records whose lease has expired (or is held by another scan) as `failed`, and adds them
 * to the status summary's recent scans so that health counts them. `current` is a scan known to be alive.
 */
export async function repairAbandonedScans(
  store: Pick<FindingStore, 'listScans' | 'readLease' | 'writeScan' | 'readStatus' | 'writeStatus'>,
  now: Date,
  current?: string,
): Promise<ScanRecord[]> {
  const running = (await store.listScans(LOOKBACK)).filter(
    (r) => r.status === 'running' && r.id !== current,
  );
  if (running.length === 0) return [];
  const lease = await store.readLease('scan');
  const alive = (id: string) =>
    lease !== undefined && lease.holder === id && Date.parse(lease.expiresAt) > now.getTime();
  const repaired: ScanRecord[] = [];
  for (const record of running) {
    if (alive(record.id)) continue;
    const failed: ScanRecord = {
      ...record,
      status: 'failed',
      endedAt: now.toISOString(),
      error: ABANDONED,
    };
    await store.writeScan(failed);
    repaired.push(failed);
  }
  if (repaired.length > 0) {
    const summary = await store.readStatus();
    if (summary) {
      let recentScans = summary.recentScans;
      for (const r of [...repaired].reverse())
        recentScans = withRecent({ ...summary, recentScans }, r);
      await store.writeStatus({ ...summary, recentScans });
    }
  }
  return repaired;
}
