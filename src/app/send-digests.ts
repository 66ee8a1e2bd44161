// Use case: e-mail each owner what changed since their last digest — once and only once, within the service's limits.
import { createHash, randomUUID } from 'node:crypto';
import {
  buildDigest,
  digestFingerprint,
  ledgerChanges,
  type Digest,
  type DigestItem,
} from '../core/digest.js';
import { findingKey } from '../core/finding.js';
import type { StoredFinding } from '../core/lifecycle.js';
import type { UrgencyThresholds } from '../core/urgency.js';
import {
  MailError,
  type DigestLedger,
  type FindingStore,
  type Logger,
  type Mailer,
  type PendingDigest,
  type SendOutcome,
} from './ports.js';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface SendDigestsDeps {
  readonly store: FindingStore;
  readonly ledger: DigestLedger;
  readonly mailer: Mailer;
  readonly render: (digest: Digest) => RenderedEmail;
  readonly log: Logger;
  readonly clock: () => Date;
  readonly thresholds?: UrgencyThresholds;
  readonly limits?: { readonly perMinute: number; readonly perHour: number };
  /** Larger digests carry this many notices; the rest follow in the next one. */
  readonly maxItemsPerDigest?: number;
  /** Attempts of one digest that the service keeps refusing before it is dropped. */
  readonly maxAttempts?: number;
  readonly leaseSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Findings to leave out of digests (exempted). */
  readonly quiet?: (finding: StoredFinding) => boolean;
}

export interface DigestRun {
  readonly recipients: number;
  readonly sent: number;
  /** Digests of an earlier run whose send the service never completed, sent again. */
  readonly resent: number;
  /**
   * Digests of an earlier run that the service had delivered before the run died: recorded as sent, not
   * sent again (the service recognises a repeated send for 5 minutes only, so it is asked, not trusted).
   */
  readonly recovered: number;
  readonly failed: number;
  /** Recipients left for the next run (limits or throttling). */
  readonly deferred: number;
  readonly stoppedBy?: 'hourly-limit' | 'throttled' | undefined;
}

/** A UUID derived from a digest's content: the same digest always has the same operation id. */
export function operationIdOf(fingerprint: string): string {
  const bytes = createHash('sha256').update(fingerprint).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Owned = StoredFinding & { subscriptionName: string };

async function ownedFindings(store: FindingStore): Promise<Map<string, Owned[]>> {
  const names = new Map(
    (await store.loadSubscriptions()).map((s) => [s.subscriptionId, s.displayName]),
  );
  const byRecipient = new Map<string, Owned[]>();
  for (const status of ['open', 'resolved'] as const) {
    let next: string | undefined;
    do {
      const page = await store.queryFindings({ status }, 1000, next);
      for (const f of page.items) {
        if (!f.owners) continue;
        const owned = { ...f, subscriptionName: names.get(f.subscriptionId) ?? f.subscriptionId };
        for (const address of new Set(
          f.owners
            .toLowerCase()
            .split(/[;,\s]+/)
            .filter(Boolean),
        )) {
          let list = byRecipient.get(address);
          if (!list) byRecipient.set(address, (list = []));
          list.push(owned);
        }
      }
      next = page.next;
    } while (next);
  }
  return byRecipient;
}

/** Rebuilds an unconfirmed digest from its notices and the findings as they are now. */
function rebuild(
  recipient: string,
  pending: PendingDigest,
  findings: readonly Owned[],
  fresh: Digest,
): Digest {
  const byKey = new Map(fresh.items.map((i) => [`${i.kind}|${i.key}`, i]));
  const findingsByKey = new Map(findings.map((f) => [findingKey(f), f]));
  const items: DigestItem[] = [];
  for (const p of pending.items) {
    const current = byKey.get(`${p.kind}|${p.key}`);
    if (current) {
      items.push({
        ...current,
        urgency: p.urgency ?? current.urgency,
        previousUrgency: p.previousUrgency,
      });
      continue;
    }
    const f = findingsByKey.get(p.key);
    if (!f) continue;
    items.push({
      kind: p.kind,
      key: p.key,
      ruleId: f.ruleId,
      severity: f.severity,
      resourceId: f.resourceId,
      resourceName: f.resourceName,
      resourceType: f.resourceType,
      subscriptionId: f.subscriptionId,
      subscriptionName: f.subscriptionName,
      resourceGroup: f.resourceGroup,
      message: f.message,
      deadline: f.deadline,
      urgency: p.urgency,
      previousUrgency: p.previousUrgency,
      reason: f.ownerReason ?? 'you are named as its owner',
    });
  }
  return { recipient, items };
}

export async function sendDigests(deps: SendDigestsDeps): Promise<DigestRun> {
  const runId = `digest-${randomUUID().slice(0, 8)}`;
  const started = deps.clock();
  const lease = await deps.store.acquireLease(runId, deps.leaseSeconds ?? 900, started, 'digest');
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const limits = deps.limits ?? { perMinute: 30, perHour: 100 };
  const maxItems = deps.maxItemsPerDigest ?? 500;
  const maxAttempts = deps.maxAttempts ?? 3;
  let sent = 0;
  let resent = 0;
  let recovered = 0;
  let failed = 0;
  let deferred = 0;
  let stoppedBy: DigestRun['stoppedBy'];
  try {
    const byRecipient = await ownedFindings(deps.store);
    const recipients = [...byRecipient.keys()].sort();
    let sentLastHour = await deps.ledger.sentSince(new Date(started.getTime() - 3_600_000));
    const minuteWindow: number[] = [];
    for (const [index, recipient] of recipients.entries()) {
      const findings = byRecipient.get(recipient) ?? [];
      const now = deps.clock();
      const ledger = await deps.ledger.loadLedger(recipient);
      const fresh = buildDigest({
        recipient,
        findings,
        ledger,
        now,
        thresholds: deps.thresholds,
        quiet: deps.quiet,
      });
      const pending = await deps.ledger.loadPending(recipient);
      let digest: Digest;
      let operationId: string;
      let attempts = 0;
      if (pending) {
        digest = rebuild(recipient, pending, findings, fresh);
        operationId = pending.operationId;
        attempts = pending.attempts;
        // An earlier run saved this digest and may have sent it: ask the service before sending again.
        let outcome: SendOutcome;
        try {
          outcome = await deps.mailer.outcome(operationId);
        } catch (error) {
          // Unsure whether it arrived: never risk a second message; the next run asks again.
          deps.log.warn('could not learn what became of an earlier send; asked again next run', {
            runId,
            recipient,
            error: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        if (outcome === 'in-progress') continue; // still being sent: the next run looks again
        if (outcome === 'delivered') {
          recovered++;
          await deps.ledger.commit(recipient, ledgerChanges(digest), {
            operationId,
            recipient,
            subject: deps.render(digest).subject,
            sentAt: now.toISOString(),
            items: digest.items.length,
          });
          continue;
        }
        if (digest.items.length === 0) {
          await deps.ledger.dropPending(recipient);
          continue;
        }
        // Never arrived, or failed: a new send with a new operation id (a failed operation's id would be
        // answered with that failure again), saved before it goes out.
        operationId = operationIdOf(`${digestFingerprint(digest)}|attempt ${attempts + 1}`);
        await deps.ledger.savePending(recipient, { ...pending, operationId });
      } else {
        if (fresh.items.length === 0) continue;
        digest = { recipient, items: fresh.items.slice(0, maxItems) };
        operationId = operationIdOf(digestFingerprint(digest));
        await deps.ledger.savePending(recipient, {
          operationId,
          createdAt: now.toISOString(),
          attempts: 0,
          items: digest.items.map((i) => ({
            kind: i.kind,
            key: i.key,
            urgency: i.urgency,
            previousUrgency: i.previousUrgency,
          })),
        });
      }
      // Limits: the hourly budget ends the run (the rest goes next run); the per-minute one paces it.
      if (sentLastHour >= limits.perHour) {
        stoppedBy = 'hourly-limit';
        deferred = recipients.length - index;
        break;
      }
      while (minuteWindow.length > 0 && deps.clock().getTime() - (minuteWindow[0] ?? 0) >= 60_000)
        minuteWindow.shift();
      if (minuteWindow.length >= limits.perMinute) {
        await sleep(60_000 - (deps.clock().getTime() - (minuteWindow[0] ?? 0)) + 50);
        minuteWindow.shift();
      }
      // "Your 401 open findings": everything the recipient owns that is open, not only what changed.
      const email = deps.render({
        ...digest,
        open: findings.filter((f) => f.status === 'open' && !deps.quiet?.(f)).length,
      });
      try {
        await deps.mailer.send({
          to: recipient,
          subject: email.subject,
          html: email.html,
          text: email.text,
          operationId,
        });
      } catch (error) {
        if (error instanceof MailError && error.kind === 'throttled') {
          stoppedBy = 'throttled';
          deferred = recipients.length - index;
          deps.log.warn(
            'digest run stopped: the e-mail service is throttling; the rest goes next run',
            { runId, deferred },
          );
          break;
        }
        failed++;
        const message = error instanceof Error ? error.message : String(error);
        if (attempts + 1 >= maxAttempts) {
          deps.log.error('digest dropped after repeated failures', {
            runId,
            recipient,
            attempts: attempts + 1,
            error: message,
          });
          await deps.ledger.dropPending(recipient);
        } else {
          deps.log.warn('digest not sent; retried next run', { runId, recipient, error: message });
          const current = await deps.ledger.loadPending(recipient);
          if (current)
            await deps.ledger.savePending(recipient, { ...current, attempts: attempts + 1 });
        }
        continue;
      }
      minuteWindow.push(deps.clock().getTime());
      sentLastHour++;
      if (pending) resent++;
      else sent++;
      await deps.ledger.commit(recipient, ledgerChanges(digest), {
        operationId,
        recipient,
        subject: email.subject,
        sentAt: deps.clock().toISOString(),
        items: digest.items.length,
      });
    }
    const run: DigestRun = {
      recipients: recipients.length,
      sent,
      resent,
      recovered,
      failed,
      deferred,
      stoppedBy,
    };
    deps.log.info('digests sent', { runId, ...run });
    return run;
  } finally {
    await lease.release().catch(() => undefined);
  }
}
