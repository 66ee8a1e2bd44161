// The scan report: what `scan --format json` prints, and what every other format is rendered from.
import { compareFindings, type Finding } from '../core/finding.js';
import type { ScanNotice } from '../core/notices.js';
import type { Severity } from '../core/severity.js';

export interface ScanReport {
  readonly scannedAt: string;
  readonly resources: number;
  readonly findings: readonly Finding[];
  readonly summary: {
    readonly bySeverity: Record<Severity, number>;
    readonly byRule: Record<string, number>;
    /** Findings an exemption covers (`--exemptions`): listed, counted apart from the above. */
    readonly exempted?: number;
  };
  /** What the input could not decide (rows without properties); absent when there is nothing to say. */
  readonly notices?: readonly ScanNotice[];
}

export function buildReport(
  findings: readonly Finding[],
  resources: number,
  now: Date,
  notices: readonly (ScanNotice | undefined)[] = [],
): ScanReport {
  const said = notices.filter((n): n is ScanNotice => n !== undefined);
  const sorted = [...findings].sort(compareFindings);
  const bySeverity: Record<Severity, number> = { blocker: 0, warning: 0, info: 0 };
  const byRule: Record<string, number> = {};
  for (const f of sorted) {
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  const sortedByRule = Object.fromEntries(
    Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    scannedAt: now.toISOString(),
    resources,
    findings: sorted,
    summary: { bySeverity, byRule: sortedByRule },
    ...(said.length > 0 ? { notices: said } : {}),
  };
}
