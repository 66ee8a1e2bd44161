// Typed view of an API Management service (microsoft.apimanagement/service): its VNet configuration.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, text } from './values.js';

export const API_MANAGEMENT = 'microsoft.apimanagement/service';

// Field paths (rules.md, `classic/vnet-api-management`). `vnetid` is often a GUID rather than a
// resource id; only resource ids can point into a classic VNet, so a GUID simply matches nothing.
export const PATH = {
  vnetId: 'virtualNetworkConfiguration.vnetid',
  subnetResourceId: 'virtualNetworkConfiguration.subnetResourceId',
} as const;

const P = compilePaths(PATH);

export function apiManagementVirtualNetworkIds(row: ResourceRow): readonly (string | undefined)[] {
  const p = row.properties;
  return [text(at(p, P.vnetId)), text(at(p, P.subnetResourceId))];
}
