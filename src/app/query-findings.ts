// Use case: pages of stored findings with their lifecycle state, for the API, the CSV export and the dashboard.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { stateOf, type FindingState, type StoredFinding } from '../core/lifecycle.js';
import {
  urgencyOf,
  DEFAULT_THRESHOLDS,
  type Urgency,
  type UrgencyThresholds,
} from '../core/urgency.js';
import type { FindingFilter, FindingStore, SubscriptionRecord } from './ports.js';

export interface FindingView extends Omit<StoredFinding, 'owners'> {
  readonly state: FindingState;
  readonly owners: string[];
  readonly urgency?: Urgency | undefined;
  /** The subscription's last complete scan while the finding is open (it was seen then). */
  readonly lastSeen?: string | undefined;
  readonly subscriptionName: string;
}

export interface FindingsPage {
  readonly items: FindingView[];
  readonly continuationToken: string | null;
}

export class InvalidTokenError extends Error {}

function filterHash(filter: FindingFilter): string {
  const stable = JSON.stringify(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .sort(),
  );
  return createHash('sha256').update(stable).digest('base64url').slice(0, 16);
}

function signature(payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/**
 * The API's opaque token: the store's token, bound to the filters it was issued for, signed with HMAC-SHA256
 * (CONTINUATION_TOKEN_KEY), so a caller can neither forge one nor move one to other filters.
 */
export function encodeToken(next: string, filter: FindingFilter, key: string): string {
  const payload = Buffer.from(JSON.stringify({ n: next, f: filterHash(filter) })).toString(
    'base64url',
  );
  return `${payload}.${signature(payload, key).toString('base64url')}`;
}

export function decodeToken(token: string, filter: FindingFilter, key: string): string {
  const foreign = () =>
    new InvalidTokenError(
      'continuationToken is not a token this API issued (or it was issued before the key changed): start from the first page',
    );
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) throw foreign();
  const expected = signature(payload, key);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw foreign();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw foreign();
  }
  const t = parsed as { n?: unknown; f?: unknown };
  if (typeof t.n !== 'string' || typeof t.f !== 'string') {
    throw new InvalidTokenError('continuationToken is not a token this API issued');
  }
  if (t.f !== filterHash(filter)) {
    throw new InvalidTokenError(
      'continuationToken was issued for other filters: repeat the same filters to page on',
    );
  }
  return t.n;
}

export function viewOf(
  finding: StoredFinding,
  subscription: SubscriptionRecord | undefined,
  now: Date,
  thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS,
): FindingView {
  const { owners, ...rest } = finding;
  return {
    ...rest,
    state: stateOf(finding, subscription?.lastCompleteScanId),
    owners: (owners ?? '').split(/[;,\s]+/).filter(Boolean),
    urgency: finding.deadline ? urgencyOf(finding.deadline, now, thresholds) : undefined,
    lastSeen: finding.status === 'open' ? subscription?.lastCompleteAt : undefined,
    subscriptionName: subscription?.displayName ?? finding.subscriptionId,
  };
}

export async function queryFindings(
  store: FindingStore,
  filter: FindingFilter,
  options: {
    top: number;
    continuationToken?: string | undefined;
    now: Date;
    thresholds?: UrgencyThresholds;
    /** Signs the continuation tokens (CONTINUATION_TOKEN_KEY). */
    tokenKey: string;
  },
): Promise<FindingsPage> {
  const next = options.continuationToken
    ? decodeToken(options.continuationToken, filter, options.tokenKey)
    : undefined;
  const [page, subscriptions] = await Promise.all([
    store.queryFindings(filter, options.top, next),
    store.loadSubscriptions(),
  ]);
  const bySub = new Map(subscriptions.map((s) => [s.subscriptionId, s]));
  return {
    items: page.items.map((f) =>
      viewOf(f, bySub.get(f.subscriptionId), options.now, options.thresholds),
    ),
    continuationToken: page.next ? encodeToken(page.next, filter, options.tokenKey) : null,
  };
}
