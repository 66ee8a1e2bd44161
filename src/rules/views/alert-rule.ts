// Typed view of a classic metric alert rule (microsoft.insights/alertrules): the resource it watches.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, text } from './values.js';

export const ALERT_RULE = 'microsoft.insights/alertrules';

// Field paths (rules.md, `classic/vm-alerts-or-autoscale`).
export const PATH = {
  resourceUri: 'condition.dataSource.resourceUri',
} as const;

const P = compilePaths(PATH);

export function alertRuleTarget(row: ResourceRow): string | undefined {
  return text(at(row.properties, P.resourceUri));
}
