// Typed view of a classic reserved IP (microsoft.classicnetwork/reservedips).
import type { ResourceRow } from '../../core/resource.js';
import { at, bool, compilePaths, text } from './values.js';

export const RESERVED_IP = 'microsoft.classicnetwork/reservedips';

export interface ReservedIpView {
  /** undefined when absent or not a boolean: unknown. */
  readonly inUse: boolean | undefined;
  readonly address: string | undefined;
}

// Field paths (rules.md, "Classic reserved IP"); `ipAddress` only decorates messages.
export const PATH = {
  inUse: 'inUse',
  address: 'ipAddress',
} as const;

const P = compilePaths(PATH);

export function reservedIp(row: ResourceRow): ReservedIpView {
  const p = row.properties;
  return { inUse: bool(at(p, P.inUse)), address: text(at(p, P.address)) };
}
