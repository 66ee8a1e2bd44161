// Typed view of an App Service Environment (microsoft.web/hostingenvironments): the VNet it is deployed into.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, text } from './values.js';

export const APP_SERVICE_ENVIRONMENT = 'microsoft.web/hostingenvironments';

// Field paths (rules.md, `classic/vnet-app-service-environment`).
export const PATH = {
  virtualNetworkId: 'virtualNetwork.id',
} as const;

const P = compilePaths(PATH);

export function aseVirtualNetworkIds(row: ResourceRow): readonly (string | undefined)[] {
  return [text(at(row.properties, P.virtualNetworkId))];
}
