// Typed view of an autoscale setting (microsoft.insights/autoscalesettings): the resource it scales.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, text } from './values.js';

export const AUTOSCALE_SETTING = 'microsoft.insights/autoscalesettings';

// Field paths (rules.md, `classic/vm-alerts-or-autoscale`).
export const PATH = {
  targetResourceUri: 'targetResourceUri',
} as const;

const P = compilePaths(PATH);

export function autoscaleTarget(row: ResourceRow): string | undefined {
  return text(at(row.properties, P.targetResourceUri));
}
