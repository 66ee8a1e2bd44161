// What a scan knows about each subscription in scope while it runs, and the context its stages share.
import type { UrgencyThresholds } from '../../core/urgency.js';
import type { Rule } from '../../rules/define-rule.js';
import type { ResourceSource, ScopeFilter, SubscriptionOutcome } from '../ports.js';

export interface SubscriptionState {
  displayName: string;
  /** Seen by the previous complete scan, not listed by this one (lost access, moved, deleted). */
  vanished?: boolean;
  tags: Readonly<Record<string, string>>;
  outcome: SubscriptionOutcome;
  reason?: string;
}

/** Tags of subscriptions and resource groups, by lower-case id, kept only for the tag names asked for. */
export type ContainerTags = ReadonlyMap<string, Readonly<Record<string, string>>>;

export type ScanLog = (message: string, fields?: Record<string, unknown>) => void;

/** What every stage of a scan reads. */
export interface StageContext {
  readonly source: ResourceSource;
  readonly rules: readonly Rule[];
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds | undefined;
  readonly log: ScanLog;
  readonly filter?: ScopeFilter | undefined;
  readonly signal?: AbortSignal | undefined;
  /** How many query chains a stage runs at once (default DEFAULT_CHAINS), all under the source's one pacer. */
  readonly chains?: number | undefined;
}

/** The subscriptions of a scan, created on first mention as "not reached". */
export class SubscriptionStates extends Map<string, SubscriptionState> {
  constructor(private readonly knownNames?: ReadonlyMap<string, string>) {
    super();
  }
  of(subscriptionId: string): SubscriptionState {
    let state = this.get(subscriptionId);
    if (!state) {
      state = {
        displayName: this.knownNames?.get(subscriptionId) ?? subscriptionId,
        tags: {},
        outcome: 'unreached',
        reason: 'not reached by this scan',
      };
      this.set(subscriptionId, state);
    }
    return state;
  }
  /** Marks every subscription not yet complete as failed, for this reason. */
  failIncomplete(reason: string, which: (subscriptionId: string) => boolean = () => true): void {
    for (const [id, state] of this) {
      if (state.outcome !== 'complete' && which(id)) {
        state.outcome = 'failed';
        state.reason = reason;
      }
    }
  }
}

/** An error as a short line: reasons are stored and shown, so they stay small (Table Storage caps a property at 64 KiB). */
export function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
