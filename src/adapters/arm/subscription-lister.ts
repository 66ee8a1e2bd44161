// Every subscription of a tenant or management-group scope through ARM, which has no 10,000-subscription cap:
// the subscriptions list (`@azure/arm-subscriptions`) for a tenant, the management-group descendants
// (`@azure/arm-managementgroups`) for management groups. Resource Graph is then queried in explicit batches.
import { ManagementGroupsAPI } from '@azure/arm-managementgroups';
import { SubscriptionClient } from '@azure/arm-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import type { ListedSubscription, Scope, SubscriptionLister } from '../../app/ports.js';

export interface ArmSubscriptionListerOptions {
  readonly credential: TokenCredential;
  /** ARM's endpoint (the one Resource Graph is on); default: public cloud. */
  readonly endpoint?: string | undefined;
  /** The token audience (`https://management.usgovcloudapi.net/.default`...); default: public cloud. */
  readonly scope?: string | undefined;
  /** PEM of a CA to trust instead of the public ones (a local emulator). */
  readonly ca?: string | undefined;
}

const SUBSCRIPTION_TYPE = 'microsoft.management/managementgroups/subscriptions';

export class ArmSubscriptionLister implements SubscriptionLister {
  private readonly subscriptions: SubscriptionClient;
  private readonly groups: ManagementGroupsAPI;

  constructor(options: ArmSubscriptionListerOptions) {
    const common = {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      ...(options.scope ? { credentialScopes: [options.scope] } : {}),
      userAgentOptions: { userAgentPrefix: 'azure-readiness-scanner' },
    };
    this.subscriptions = new SubscriptionClient(options.credential, common);
    this.groups = new ManagementGroupsAPI(options.credential, common);
  }

  async list(
    scope: Scope,
    signal?: AbortSignal,
    onPage?: (page: readonly ListedSubscription[]) => void,
  ): Promise<ListedSubscription[]> {
    const seen = new Map<string, ListedSubscription>();
    let fresh: ListedSubscription[] = [];
    const add = (id: string | undefined, name: string | undefined) => {
      if (!id || seen.has(id.toLowerCase())) return;
      const listed = { subscriptionId: id, displayName: name || id };
      seen.set(id.toLowerCase(), listed);
      fresh.push(listed);
    };
    const pageDone = () => {
      if (fresh.length > 0) onPage?.(fresh);
      fresh = [];
    };
    if (scope.kind === 'subscriptions') {
      for (const id of scope.ids) add(id, undefined);
      pageDone();
    } else if (scope.kind === 'tenant') {
      for await (const page of this.subscriptions.subscriptions
        .list({ abortSignal: signal })
        .byPage()) {
        for (const s of page) add(s.subscriptionId, s.displayName);
        pageDone();
      }
    } else {
      for (const group of scope.ids) {
        for await (const page of this.groups.managementGroups
          .listDescendants(group, { abortSignal: signal })
          .byPage()) {
          for (const d of page)
            if (d.type?.toLowerCase() === SUBSCRIPTION_TYPE) add(d.name, d.displayName);
          pageDone();
        }
      }
    }
    return [...seen.values()];
  }
}
