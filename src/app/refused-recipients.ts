// The addresses a scan refused to take as owners, gathered per place to fix (a tag on a resource, resource group or
// subscription), for the status and the dashboard.
import type { Finding } from '../core/finding.js';
import type { RefusedAddress } from '../core/owners.js';
import type { RefusedRecipient } from './ports.js';

/** The status lists at most this many (the Table Storage entity holding the status stays small). */
export const MAX_REFUSED_LISTED = 50;

function whereOf(finding: Finding, refused: RefusedAddress): string {
  const sub = `/subscriptions/${finding.subscriptionId}`;
  switch (refused.level) {
    case 'resource':
      return `tag ${refused.tag ?? ''} on ${finding.resourceId}`;
    case 'resourceGroup':
      return `tag ${refused.tag ?? ''} on ${sub}/resourceGroups/${finding.resourceGroup}`;
    case 'subscription':
      return `tag ${refused.tag ?? ''} on ${sub}`;
    case 'contacts':
      return `the contacts of ${sub}`;
    case 'defaults':
      return 'DIGEST_DEFAULT_RECIPIENTS';
  }
}

export class RefusedRecipients {
  private readonly entries = new Map<
    string,
    { address: string; why: string; where: string; findings: number }
  >();

  add(finding: Finding, refused: readonly RefusedAddress[]): void {
    for (const r of refused) {
      const where = whereOf(finding, r);
      const key = `${r.address}\n${where}\n${r.why}`;
      const entry = this.entries.get(key);
      if (entry) entry.findings++;
      else this.entries.set(key, { address: r.address, why: r.why, where, findings: 1 });
    }
  }

  /** Every entry, to carry across processes (a scan's batches) and merge with `merge`. */
  list(): RefusedRecipient[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  merge(list: readonly RefusedRecipient[]): void {
    for (const r of list) {
      const key = `${r.address}\n${r.where}\n${r.why}`;
      const entry = this.entries.get(key);
      if (entry) entry.findings += r.findings;
      else this.entries.set(key, { ...r });
    }
  }

  /** The fields of the status summary: the list (most findings first, capped) and the total. */
  summary(): { refusedRecipients?: RefusedRecipient[]; refusedRecipientsTotal?: number } {
    if (this.entries.size === 0) return {};
    const list = [...this.entries.values()].sort(
      (a, b) => b.findings - a.findings || a.address.localeCompare(b.address),
    );
    return {
      refusedRecipients: list.slice(0, MAX_REFUSED_LISTED),
      refusedRecipientsTotal: list.length,
    };
  }
}
