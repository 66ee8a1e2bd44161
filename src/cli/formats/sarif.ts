// SARIF 2.1.0 output of a scan report, for code-scanning dashboards and other SARIF viewers.
import type { ScanReport } from '../../app/report.js';
import { findingKey, type Finding } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { RuleMeta } from '../../rules/define-rule.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'azure-readiness-scanner';
/** The tool has no public home page of its own yet: point at the migration guidance it checks against. */
export const TOOL_INFORMATION_URI =
  'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview';

export type SarifLevel = 'error' | 'warning' | 'note';

export const SARIF_LEVEL: Record<Severity, SarifLevel> = {
  blocker: 'error',
  warning: 'warning',
  info: 'note',
};

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { severity: Severity; deadline?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { logicalLocations: { fullyQualifiedName: string; kind: 'resource' }[] }[];
  partialFingerprints: { 'findingKey/v1': string };
  properties: {
    subscriptionId: string;
    resourceGroup: string;
    resourceType: string;
    deadline?: string;
    urgency?: string;
  };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: { driver: { name: string; informationUri: string; rules: SarifRule[] } };
      results: SarifResult[];
      /** Present when the scan has notices (rows without properties): SARIF 2.1.0 §3.20.21. */
      invocations?: SarifInvocation[];
      properties: { scannedAt: string; resources: number };
    },
  ];
}

/** SARIF 2.1.0 `invocation` (§3.20) with `toolExecutionNotifications` (§3.20.21, `notification` objects §3.58). */
export interface SarifInvocation {
  executionSuccessful: boolean;
  toolExecutionNotifications: {
    level: SarifLevel;
    message: { text: string };
    descriptor: { id: string };
  }[];
}

export interface SarifOptions {
  readonly informationUri?: string;
}

/** `classic/vm-endpoint-acl` → `ClassicVmEndpointAcl`: SARIF wants a readable identifier as the name. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function sarifRule(id: string, meta: RuleMeta | undefined, fallback: Finding): SarifRule {
  const severity = meta?.severity ?? fallback.severity;
  const title = meta?.title ?? id;
  const deadline = meta?.deadline ?? fallback.deadline;
  const full = [
    `${title}.`,
    ...(deadline ? [`Retirement date: ${deadline}.`] : []),
    ...(meta?.manual ? ['Manual check: Resource Graph data cannot decide it.'] : []),
  ].join(' ');
  const helpUri = meta?.links[0];
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: title },
    fullDescription: { text: full },
    help: { text: meta?.recommendation ?? title },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: { severity, ...(deadline ? { deadline } : {}) },
  };
}

/** The report as a SARIF log: rules that have a finding (sorted by id), then one result per finding. */
export function toSarif(
  report: ScanReport,
  rules: readonly RuleMeta[],
  options: SarifOptions = {},
): SarifLog {
  const metaById = new Map(rules.map((r) => [r.id, r]));
  const firstFinding = new Map<string, Finding>();
  for (const f of report.findings) if (!firstFinding.has(f.ruleId)) firstFinding.set(f.ruleId, f);
  const ids = [...firstFinding.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indexById = new Map(ids.map((id, i) => [id, i]));
  const sarifRules = ids.map((id) =>
    sarifRule(id, metaById.get(id), firstFinding.get(id) as Finding),
  );
  const results = report.findings.map((f): SarifResult => ({
    ruleId: f.ruleId,
    ruleIndex: indexById.get(f.ruleId) as number,
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ logicalLocations: [{ fullyQualifiedName: f.resourceId, kind: 'resource' }] }],
    partialFingerprints: { 'findingKey/v1': findingKey(f) },
    properties: {
      subscriptionId: f.subscriptionId,
      resourceGroup: f.resourceGroup,
      resourceType: f.resourceType,
      ...(f.deadline ? { deadline: f.deadline } : {}),
      ...(f.urgency ? { urgency: f.urgency } : {}),
    },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            informationUri: options.informationUri ?? TOOL_INFORMATION_URI,
            rules: sarifRules,
          },
        },
        results,
        ...(report.notices?.length
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: report.notices.map((n) => ({
                    level: 'warning' as const,
                    message: { text: n.message },
                    descriptor: { id: n.code },
                  })),
                },
              ],
            }
          : {}),
        properties: { scannedAt: report.scannedAt, resources: report.resources },
      },
    ],
  };
}

export function renderSarif(
  report: ScanReport,
  rules: readonly RuleMeta[],
  options: SarifOptions = {},
): string {
  return `${JSON.stringify(toSarif(report, rules, options), null, 2)}\n`;
}
