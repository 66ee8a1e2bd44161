// Use case: the digests a first scan of a Resource Graph export would send, one per recipient, without
// a store or a mail service. Owners come from the resources' tags (an export carries no resource-group
// or subscription tags), else the default recipients; the ledger is empty, so every open blocker and
// warning is new.
import { buildDigest, type Digest } from '../core/digest.js';
import type { Finding } from '../core/finding.js';
import type { StoredFinding } from '../core/lifecycle.js';
import { resolveOwners } from '../core/owners.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import type { Rule } from '../rules/define-rule.js';
import { scanExport, type ExportScan } from './scan-export.js';

export interface PreviewOptions {
  readonly rules: readonly Rule[];
  readonly now: Date;
  /** Tag names that name an owner, matched case-insensitively. */
  readonly ownerTags: readonly string[];
  /** Who gets the findings no tag names an owner for. */
  readonly defaultRecipients: readonly string[];
  /** Only owners in these domains, as the app's EMAIL_ALLOWED_DOMAINS; undefined: no restriction. */
  readonly allowedDomains?: readonly string[] | undefined;
  readonly thresholds?: UrgencyThresholds | undefined;
}

export interface DigestPreview {
  /** One digest per recipient with something to say, sorted by recipient (lower-cased). */
  readonly digests: Digest[];
  /** Findings that nobody would receive: no owner tag and no default recipient. */
  readonly unowned: readonly Finding[];
  /** The export scan itself (skipped rows, rule errors, the report). */
  readonly scan: ExportScan;
  /** Addresses tags named that would not be mailed (outside the allowed domains, too many in a tag). */
  readonly refused: readonly string[];
}

const PREVIEW_SCAN_ID = 'preview';
const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';

/** The digests, plus what was not mailed (`unowned`) and the scan's warnings. */
export function planDigests(rows: readonly unknown[], options: PreviewOptions): DigestPreview {
  const scan = scanExport(rows, {
    rules: options.rules,
    now: options.now,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });
  const tagsById = new Map<string, Readonly<Record<string, string>> | undefined>();
  // Subscriptions by display name when the export has their `resourcecontainers` rows (name = display name).
  const subscriptionNames = new Map<string, string>();
  for (const row of scan.rows) {
    if (row.type === SUBSCRIPTION_TYPE && row.subscriptionId && row.name)
      subscriptionNames.set(row.subscriptionId.toLowerCase(), row.name);
    const key = row.id.toLowerCase();
    if (!tagsById.has(key) || !tagsById.get(key)) tagsById.set(key, row.tags);
  }
  const at = options.now.toISOString();
  const byRecipient = new Map<string, (StoredFinding & { subscriptionName?: string })[]>();
  const unowned: Finding[] = [];
  const refused = new Set<string>();
  for (const finding of scan.report.findings) {
    const { owners, refused: refusedHere } = resolveOwners({
      tagNames: options.ownerTags,
      resourceTags: tagsById.get(finding.resourceId.toLowerCase()),
      resourceGroupTags: undefined,
      subscriptionTags: undefined,
      defaultRecipients: options.defaultRecipients,
      allowedDomains: options.allowedDomains,
    });
    for (const r of refusedHere) refused.add(r.address);
    if (!owners || owners.addresses.length === 0) {
      unowned.push(finding);
      continue;
    }
    const subscriptionName = subscriptionNames.get(finding.subscriptionId.toLowerCase());
    const stored: StoredFinding & { subscriptionName?: string } = {
      ...(subscriptionName ? { subscriptionName } : {}),
      subscriptionId: finding.subscriptionId,
      ruleId: finding.ruleId,
      severity: finding.severity,
      resourceId: finding.resourceId,
      resourceName: finding.resourceName,
      resourceType: finding.resourceType,
      resourceGroup: finding.resourceGroup,
      message: finding.message,
      deadline: finding.deadline,
      owners: owners.addresses.join(';'),
      ownerReason: owners.reason,
      status: 'open',
      firstSeen: at,
      firstSeenScan: PREVIEW_SCAN_ID,
    };
    // ownersOf lower-cases addresses already; lower-case again so the merge never depends on it.
    for (const address of new Set(owners.addresses.map((a) => a.toLowerCase()))) {
      const list = byRecipient.get(address);
      if (list) list.push(stored);
      else byRecipient.set(address, [stored]);
    }
  }
  const digests = [...byRecipient.keys()]
    .sort()
    .map((recipient) =>
      buildDigest({
        recipient,
        findings: byRecipient.get(recipient) ?? [],
        ledger: new Map(),
        now: options.now,
        ...(options.thresholds ? { thresholds: options.thresholds } : {}),
      }),
    )
    .filter((d) => d.items.length > 0);
  return { digests, unowned, scan, refused: [...refused].sort() };
}

/**
 * The digests a first scan of `rows` would send: one per recipient (addresses merged case-insensitively),
 * recipients with nothing to say (info findings only) left out. Findings with no owner and no default
 * recipient are not mailed; `planDigests` returns them as `unowned`.
 */
export function previewDigests(rows: readonly unknown[], options: PreviewOptions): Digest[] {
  return planDigests(rows, options).digests;
}
