// Holds the scan lease while a scan runs: renews it, notices when it is lost, and stops the scan's writes then.
import { LeaseLostError, type FindingStore, type Lease } from '../ports.js';
import { describe, type ScanLog } from './state.js';

/** The store methods that change something: none of them runs once the lease is lost. */
const WRITES = new Set<keyof FindingStore>([
  'writeFindings',
  'writeSubscriptions',
  'markSubscription',
  'deleteFindings',
  'writeStatus',
  'recordTrend',
  'writeIncident',
  'setContacts',
  'writeScan',
]);

export class LeaseGuard {
  private lostReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly lease: Lease,
    private readonly clock: () => Date,
    private readonly log: ScanLog,
  ) {}

  /** Aborted when the lease is lost: the scan stops fetching too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the lease was lost, once it was. */
  get lost(): string | undefined {
    this.checkExpiry();
    return this.lostReason;
  }

  /** Renews every `everyMs`; a refused renewal, or one that fails until the lease runs out, loses it. */
  start(everyMs: number): void {
    this.timer = setInterval(() => void this.renew(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async renew(): Promise<void> {
    if (this.lostReason) return;
    try {
      await this.lease.renew(this.clock());
    } catch (error) {
      if (error instanceof LeaseLostError) this.lose(`lease lost: ${error.message}`);
      else {
        this.log('lease renewal failed', { error: describe(error) });
        this.checkExpiry();
      }
    }
  }

  /** A store whose writes throw once the lease is lost. */
  guard(store: FindingStore): FindingStore {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (!WRITES.has(property as keyof FindingStore)) return method.bind(target);
        return (...args: unknown[]) => {
          const reason = this.lost;
          if (reason) return Promise.reject(new LeaseLostError(reason));
          return method.apply(target, args);
        };
      },
    });
  }

  private checkExpiry(): void {
    if (this.lostReason) return;
    if (this.clock().getTime() >= Date.parse(this.lease.expiresAt))
      this.lose(`lease lost: it expired at ${this.lease.expiresAt} before it could be renewed`);
  }

  private lose(reason: string): void {
    this.lostReason = reason;
    this.log('lease lost', { reason });
    this.controller.abort(new LeaseLostError(reason));
  }
}
