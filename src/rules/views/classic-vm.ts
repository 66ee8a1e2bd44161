// Typed view of a classic VM row (microsoft.classiccompute/virtualmachines): every field path of rules.md in one place.
import type { ResourceRow } from '../../core/resource.js';
import { at, bool, isRecord, list, str, strings, text } from './values.js';

export const CLASSIC_VM = 'microsoft.classiccompute/virtualmachines';

export interface InputEndpoint {
  readonly name: string | undefined;
  /** Number of ACL rules; 0 when there is no ACL. */
  readonly aclRules: number;
}

export interface VmExtension {
  readonly extension: string | undefined;
  readonly publisher: string | undefined;
  readonly version: string | undefined;
  readonly referenceName: string | undefined;
}

export interface VmDisk {
  readonly storageAccount: string | undefined;
  readonly vhdUri: string | undefined;
}

export interface ClassicVmView {
  readonly cloudServiceId: string | undefined;
  /** Availability set name; undefined when in none (absent or empty). */
  readonly availabilitySet: string | undefined;
  /** The VNet the VM is in; undefined when in none. */
  readonly virtualNetwork: { id: string | undefined; name: string | undefined; subnetNames: string[] } | undefined;
  readonly inputEndpoints: InputEndpoint[];
  readonly extensions: VmExtension[];
  readonly bootDiagnosticsEnabled: boolean;
  /** Storage account name of the boot diagnostics blob (first DNS label of the URI host). */
  readonly bootDiagnosticsAccount: string | undefined;
  readonly roleStatus: string | undefined;
  readonly guestAgentStatus: string | undefined;
  readonly disks: VmDisk[];
}

// Field paths (rules.md, "Classic VM"). A wrong path is a one-line change here.
const PATH = {
  cloudService: 'domainName.id',
  availabilitySet: 'hardwareProfile.availabilitySet',
  virtualNetwork: 'networkProfile.virtualNetwork',
  inputEndpoints: 'networkProfile.inputEndpoints',
  endpointAclRules: 'endpointAcl.rules',
  extensions: 'extensions',
  bootDiagnosticsEnabled: 'debugProfile.bootDiagnosticsEnabled',
  serialOutputBlobUri: 'debugProfile.serialOutputBlobUri',
  roleStatus: 'instanceView.status',
  guestAgentStatus: 'instanceView.guestAgentStatus.status',
  osDisk: 'storageProfile.operatingSystemDisk',
  dataDisks: 'storageProfile.dataDisks',
  diskAccount: 'storageAccount.name',
  diskVhd: 'vhdUri',
} as const;

/** The first DNS label of a URI's host (`https://acct.blob.core.windows.net/...` → `acct`). */
export function accountOfBlobUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  try {
    return new URL(uri).hostname.split('.')[0] || undefined;
  } catch {
    return undefined;
  }
}

function disk(value: unknown): VmDisk | undefined {
  if (!isRecord(value)) return undefined;
  return { storageAccount: text(at(value, PATH.diskAccount)), vhdUri: text(at(value, PATH.diskVhd)) };
}

export function classicVm(row: ResourceRow): ClassicVmView {
  const p = row.properties;
  const vnet = at(p, PATH.virtualNetwork);
  const endpoints = (list(at(p, PATH.inputEndpoints)) ?? []).filter(isRecord).map((e) => ({
    name: str(e.endpointName),
    aclRules: list(at(e, PATH.endpointAclRules))?.length ?? 0,
  }));
  const extensions = (list(at(p, PATH.extensions)) ?? []).filter(isRecord).map((e) => ({
    extension: str(e.extension),
    publisher: str(e.publisher),
    version: str(e.version),
    referenceName: str(e.referenceName),
  }));
  const disks = [disk(at(p, PATH.osDisk)), ...(list(at(p, PATH.dataDisks)) ?? []).map(disk)].filter(
    (d): d is VmDisk => d !== undefined,
  );
  return {
    cloudServiceId: text(at(p, PATH.cloudService)),
    availabilitySet: text(at(p, PATH.availabilitySet)),
    virtualNetwork: isRecord(vnet)
      ? { id: text(vnet.id), name: text(vnet.name), subnetNames: strings(vnet.subnetNames) ?? [] }
      : undefined,
    inputEndpoints: endpoints,
    extensions,
    bootDiagnosticsEnabled: bool(at(p, PATH.bootDiagnosticsEnabled)) === true,
    bootDiagnosticsAccount: accountOfBlobUri(text(at(p, PATH.serialOutputBlobUri))),
    roleStatus: text(at(p, PATH.roleStatus)),
    guestAgentStatus: text(at(p, PATH.guestAgentStatus)),
    disks,
  };
}
