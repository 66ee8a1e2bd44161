// Owners (and subscription names) in a scan report: who owns each finding and why, from the tags the scanned rows carry — the resource's,
// its resource group's and its subscription's (an export from `readiness export` holds all three) — then the
// default recipients, the same chain the digests follow.
import type { Finding } from '../core/finding.js';
import { formatOwners, resolveOwners } from '../core/owners.js';
import type { ResourceRow } from '../core/resource.js';

export interface ReportOwnerOptions {
  readonly ownerTags: readonly string[];
  readonly defaultRecipients: readonly string[];
  readonly allowedDomains?: readonly string[] | undefined;
}

type Tags = Readonly<Record<string, string>> | undefined;

const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';

/** A lookup of tags by lower-case id, built from rows as they come. */
export class TagIndex {
  private readonly byId = new Map<string, Tags>();
  private readonly names = new Map<string, string>();
  add(rows: readonly ResourceRow[]): void {
    for (const row of rows) {
      const key = row.id.toLowerCase();
      if (!this.byId.get(key)) this.byId.set(key, row.tags);
      // A subscription row's name is its display name.
      if (row.type === SUBSCRIPTION_TYPE && row.subscriptionId && row.name !== row.subscriptionId)
        this.names.set(row.subscriptionId.toLowerCase(), row.name);
    }
  }
  /** Display names the scan learned elsewhere (the live listing). */
  addNames(names: Iterable<[string, string]>): void {
    for (const [id, name] of names) if (name && name !== id) this.names.set(id.toLowerCase(), name);
  }
  nameOf(subscriptionId: string): string | undefined {
    return this.names.get(subscriptionId.toLowerCase());
  }
  addContainers(containers: ReadonlyMap<string, Readonly<Record<string, string>>>): void {
    for (const [id, tags] of containers) if (!this.byId.get(id)) this.byId.set(id, tags);
  }
  get(id: string): Tags {
    return this.byId.get(id.toLowerCase());
  }
}

/** The findings with `owners` and `ownerReason` set (left out when nobody owns one). */
export function withOwners(
  findings: readonly Finding[],
  tags: TagIndex,
  options: ReportOwnerOptions,
): Finding[] {
  return findings.map((f) => {
    const { owners } = resolveOwners({
      tagNames: options.ownerTags,
      resourceTags: tags.get(f.resourceId),
      resourceGroupTags: tags.get(
        `/subscriptions/${f.subscriptionId}/resourcegroups/${f.resourceGroup}`,
      ),
      subscriptionTags: tags.get(`/subscriptions/${f.subscriptionId}`),
      defaultRecipients: options.defaultRecipients,
      allowedDomains: options.allowedDomains,
    });
    const formatted = formatOwners(owners);
    const name = tags.nameOf(f.subscriptionId);
    return {
      ...f,
      ...(name ? { subscriptionName: name } : {}),
      ...(formatted && owners ? { owners: formatted, ownerReason: owners.reason } : {}),
    };
  });
}
