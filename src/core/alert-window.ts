// The "scanner silent" log alert (infra/modules/alerts.bicep): which window and evaluation frequency it gets for a scan
// schedule. Azure Monitor scheduled query rules accept only a fixed set of windows and frequencies; anything else is
// refused when the rule is created ("Supported granularities are: 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360,
// 1440, 2880", quoted in Azure/azure-rest-api-specs#21258 and hashicorp/terraform-provider-azurerm#18886).

/** Minutes Azure Monitor accepts for a scheduled query rule's windowSize and evaluationFrequency. */
export const ACCEPTED_ALERT_MINUTES = [
  5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880,
] as const;

/** The longest window there is: two scan intervals must fit in it. */
export const MAX_ALERT_WINDOW_MINUTES = 2880;

export interface SilenceAlert {
  /** The window the rule counts `scan ended` lines in: the smallest accepted one of at least two scan intervals. */
  readonly windowMinutes: number;
  /** How often the rule runs: about a quarter of the window, at least 5 minutes, at most an hour. */
  readonly frequencyMinutes: number;
}

export type SilenceAlertResult =
  ({ readonly ok: true } & SilenceAlert) | { readonly ok: false; readonly message: string };

/** ISO 8601 duration of a number of minutes, as Bicep writes windowSize and evaluationFrequency. */
export function isoMinutes(minutes: number): string {
  return `PT${minutes}M`;
}

/**
 * The silence alert for a scan interval (the widest gap between two scans, `scheduleIntervalMs`). Refused, with a
 * message naming the schedule's interval, when two intervals do not fit in the longest window Azure Monitor accepts.
 */
export function silenceAlertFor(intervalMs: number): SilenceAlertResult {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    return {
      ok: false,
      message: `the scan interval must be a positive duration, got ${intervalMs} ms`,
    };
  }
  const needed = (2 * intervalMs) / 60_000;
  const windowMinutes = ACCEPTED_ALERT_MINUTES.find((minutes) => minutes >= needed);
  if (windowMinutes === undefined) {
    const hours = Math.round((intervalMs / 3_600_000) * 10) / 10;
    return {
      ok: false,
      message:
        `SCAN_SCHEDULE runs every ${hours} h at its widest; two intervals (${Math.ceil(needed)} min) exceed the ` +
        `longest window an Azure Monitor log alert accepts (${MAX_ALERT_WINDOW_MINUTES} min = 2 days). ` +
        'Scan at least once a day.',
    };
  }
  const target = Math.min(60, Math.max(5, windowMinutes / 4));
  const frequencyMinutes =
    [...ACCEPTED_ALERT_MINUTES].reverse().find((minutes) => minutes <= target) ?? 5;
  return { ok: true, windowMinutes, frequencyMinutes };
}
