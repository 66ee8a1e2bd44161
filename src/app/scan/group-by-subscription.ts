// Groups rows that arrive sorted by id into subscriptions, and says when a subscription can get no more rows.
import type { ResourceRow } from '../../core/resource.js';

/**
 * Resource Graph sorts `order by id asc` ordinally, so an upper-case subscription segment (`/subscriptions/ABC…`)
 * sorts apart from its lower-case rows: one subscription's rows can arrive in several runs. Rows are grouped
 * by the lower-case subscription id, and a subscription is *final* only when no row still to come can belong
 * to it. Every case variant of `/subscriptions/<id>/` sorts at or before the all-lower-case one (ASCII
 * upper-case letters sort before lower-case ones), so once the stream has passed that prefix, nothing of the
 * subscription can follow. A subscription whose ids the rule cannot bound (a non-ASCII id, a row whose id does
 * not start with its subscription) is final only at the end of the stream.
 */
export class SubscriptionGrouper {
  private readonly open = new Map<string, Group>();
  private readonly released = new Set<string>();
  private readonly late = new Set<string>();
  private lastId: string | undefined;
  private disordered = false;

  /** Subscriptions that received rows after they were released (the source broke its order): not trustworthy. */
  get tainted(): ReadonlySet<string> {
    return this.late;
  }

  /** True once a row arrived out of order: nothing is released before the end of the stream. */
  get outOfOrder(): boolean {
    return this.disordered;
  }

  /**
   * Adds a row; returns the subscriptions that became final, with their rows. With `release: false`
   * (an earlier query of several) nothing is released yet.
   */
  add(row: ResourceRow, release = true): [string, ResourceRow[]][] {
    const sub = row.subscriptionId;
    if (this.lastId !== undefined && row.id < this.lastId) this.disordered = true;
    this.lastId = row.id;
    if (this.released.has(sub)) {
      this.late.add(sub);
      return [];
    }
    let group = this.open.get(sub);
    if (!group) {
      const prefix = `/subscriptions/${sub}/`;
      group = { rows: [], prefix, bounded: /^[\x00-\x7f]*$/.test(sub) };
      this.open.set(sub, group);
    }
    if (group.bounded && row.id.slice(0, group.prefix.length).toLowerCase() !== group.prefix)
      group.bounded = false;
    group.rows.push(row);
    if (!release || this.disordered) return [];
    const out: [string, ResourceRow[]][] = [];
    for (const [id, g] of this.open) {
      if (id === sub || !g.bounded) continue;
      if (row.id.slice(0, g.prefix.length) > g.prefix) out.push([id, this.take(id)]);
    }
    return out;
  }

  /** The end of the stream: every subscription still open is final. */
  finish(): [string, ResourceRow[]][] {
    return [...this.open.keys()].map((id) => [id, this.take(id)]);
  }

  /** Whether a subscription was seen (released or still open). */
  has(subscriptionId: string): boolean {
    return this.open.has(subscriptionId) || this.released.has(subscriptionId);
  }

  private take(id: string): ResourceRow[] {
    const rows = this.open.get(id)?.rows ?? [];
    this.open.delete(id);
    this.released.add(id);
    return rows;
  }
}

interface Group {
  readonly rows: ResourceRow[];
  readonly prefix: string;
  bounded: boolean;
}
