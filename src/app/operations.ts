// Use case: tell the operators when the scanner is not doing its job — failing, stale, or seeing less of the tenant — once per incident, and once on recovery.
import { healthView } from './read-status.js';
import { operationIdOf } from './send-digests.js';
import type { FindingStore, IncidentKind, IncidentState, Logger, Mailer } from './ports.js';
import { escapeHtml } from '../views/html.js';

export interface OperationsDeps {
  readonly store: FindingStore;
  readonly mailer: Mailer | undefined;
  readonly recipients: readonly string[];
  readonly log: Logger;
  readonly clock: () => Date;
  readonly schedule: string;
  readonly dashboardUrl?: string | undefined;
}

export interface OperationsCheck {
  readonly active: readonly { kind: IncidentKind; detail: string }[];
  readonly opened: readonly IncidentKind[];
  readonly recovered: readonly IncidentKind[];
}

const TITLES: Record<IncidentKind, string> = {
  'scan-failures': 'scans are failing',
  stale: 'no recent successful scan',
  coverage: 'the scanner sees less of the tenant than before',
};

const ACTIONS: Record<IncidentKind, string> = {
  'scan-failures':
    'Read the failed scans in the status API (lastScan.error) or the logs (message "scan ended", status "failed"): usually Resource Graph or Table Storage access, or a setting.',
  stale:
    'The scan timer has not produced a succeeded scan for two schedule intervals: check that the Function App runs, the timer fires (SCAN_SCHEDULE), and scans do not end partial or failed.',
  coverage:
    "Subscriptions scanned before are no longer visible: check the scanner identity's Reader role assignment at the management group (infra/scan-reader). Their findings are kept until coverage returns.",
};

function message(
  kind: IncidentKind,
  detail: string,
  recovered: boolean,
  dashboardUrl: string | undefined,
) {
  const subject = recovered
    ? `[Azure readiness] Recovered: ${TITLES[kind]}`
    : `[Azure readiness] Action needed: ${TITLES[kind]}`;
  const lines = recovered
    ? [`The incident "${TITLES[kind]}" is over.`, '', `It was: ${detail}`]
    : [
        `The readiness scanner reports: ${TITLES[kind]}.`,
        '',
        detail,
        '',
        `What to do: ${ACTIONS[kind]}`,
      ];
  if (dashboardUrl) lines.push('', `Dashboard: ${dashboardUrl}`);
  const text = lines.join('\n');
  const html = `<div style="font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#1b1b1b">${lines
    .map((l) => (l ? `<p style="margin:0 0 8px">${escapeHtml(l)}</p>` : ''))
    .join('')}</div>`;
  return { subject, text, html };
}

/** Which incidents are active now, from the status summary. */
export async function activeIncidents(deps: Pick<OperationsDeps, 'store' | 'clock' | 'schedule'>) {
  const summary = await deps.store.readStatus();
  const active: { kind: IncidentKind; detail: string }[] = [];
  if (!summary) return active;
  const health = healthView(summary, deps.clock(), deps.schedule);
  const recent = summary.recentScans ?? [];
  if (recent[0]?.status === 'failed' && recent[1]?.status === 'failed') {
    active.push({
      kind: 'scan-failures',
      detail: `The last two scans failed. Last error: ${recent[0].reason ?? 'unknown'}`,
    });
  }
  if (health.freshness.stale) {
    active.push({
      kind: 'stale',
      detail: health.freshness.lastSucceededAt
        ? `The last succeeded scan ended at ${health.freshness.lastSucceededAt}, more than two schedule intervals ago.`
        : 'No scan has succeeded yet.',
    });
  }
  const coverage = summary.lastScan.coverage?.reason;
  if (coverage) active.push({ kind: 'coverage', detail: coverage });
  return active;
}

export async function checkOperations(deps: OperationsDeps): Promise<OperationsCheck> {
  const active = await activeIncidents(deps);
  const known = new Map((await deps.store.readIncidents()).map((i) => [i.kind, i]));
  const now = deps.clock().toISOString();
  const opened: IncidentKind[] = [];
  const recovered: IncidentKind[] = [];
  const kinds: IncidentKind[] = ['scan-failures', 'stale', 'coverage'];
  for (const kind of kinds) {
    const current = active.find((a) => a.kind === kind);
    const before = known.get(kind);
    let next: IncidentState | undefined;
    let mail: { recovered: boolean; incident: IncidentState } | undefined;
    if (current && !before?.open) {
      next = { kind, open: true, since: now, detail: current.detail };
      mail = { recovered: false, incident: next };
      opened.push(kind);
    } else if (!current && before?.open) {
      next = { ...before, open: false };
      mail = { recovered: true, incident: before };
      recovered.push(kind);
    }
    if (!next || !mail) continue;
    deps.log.warn(mail.recovered ? 'incident recovered' : 'incident opened', {
      kind,
      detail: mail.incident.detail,
    });
    if (deps.mailer && deps.recipients.length > 0) {
      const content = message(kind, mail.incident.detail, mail.recovered, deps.dashboardUrl);
      try {
        for (const to of deps.recipients) {
          await deps.mailer.send({
            to,
            ...content,
            // One incident edge, one operation per recipient: a retried check never mails twice.
            operationId: operationIdOf(
              `${kind}|${mail.incident.since}|${mail.recovered ? 'recovered' : 'opened'}|${to}`,
            ),
          });
        }
      } catch (error) {
        // Not recorded: the next check sends it again, under the same operation ids.
        deps.log.error('operator alert not sent', {
          kind,
          error: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
    }
    await deps.store.writeIncident({ ...next, notifiedAt: now });
  }
  return { active, opened, recovered };
}
