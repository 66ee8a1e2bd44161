// Typed view of a classic VM row (microsoft.classiccompute/virtualmachines): every field path of rules.md in one place.
import type { ResourceRow } from '../../core/resource.js';
import { bool, distinctTexts, record, str, text } from './values.js';

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
  /** `os` or `data`. */
  readonly role: 'os' | 'data';
  /** The storage account as the row names it (`storageAccount.name`). */
  readonly storageAccount: string | undefined;
  readonly vhdUri: string | undefined;
  /** The storage account holding the disk: `storageAccount.name`, else the first DNS label of the `vhdUri` host. */
  readonly account: string | undefined;
  /** `account`, lower-cased: the key to look the storage account up by name. */
  readonly accountKey: string | undefined;
  /** The blob name: the `vhdUri` path after the container (decoded); undefined when there is none. */
  readonly blobName: string | undefined;
}

export interface VirtualNetworkRef {
  readonly id: string | undefined;
  readonly name: string | undefined;
  /** Non-empty, distinct (case-insensitive) subnet names; [] when absent or of the wrong shape. */
  readonly subnetNames: readonly string[];
}

/**
 * What a classic VM row says. Unknown is not absent: a row without `properties` (an `az resource list`
 * export) says nothing, so the fields a rule could conclude "none" from are `undefined` there, and
 * `null` or `[]` only when the properties are present and say none (absent inside present properties
 * means none, as rules.md defines it). Rules see only rows with `properties` (see `defineRule`);
 * cross-resource rules also read VMs without them, through this view. Lists read for presence only
 * (`inputEndpoints`, `extensions`) are `[]` whenever there is nothing: a rule may find something in
 * them, never conclude from their emptiness.
 */
export interface ClassicVmView {
  /** Whether the row carries `properties` at all (an `az resource list` export does not). */
  readonly hasProperties: boolean;
  readonly cloudServiceId: string | undefined;
  /** Availability set name; undefined when in none (absent or empty: rules.md, "Classic VM"). */
  readonly availabilitySet: string | undefined;
  /**
   * The VNet the VM is in; `null` when the properties say none (`networkProfile.virtualNetwork` absent,
   * null or not an object); `undefined` when the row has no properties (unknown).
   */
  readonly virtualNetwork: VirtualNetworkRef | null | undefined;
  readonly inputEndpoints: readonly InputEndpoint[];
  readonly extensions: readonly VmExtension[];
  readonly bootDiagnosticsEnabled: boolean;
  /** Storage account name of the boot diagnostics blob (first DNS label of the URI host). */
  readonly bootDiagnosticsAccount: string | undefined;
  readonly roleStatus: string | undefined;
  readonly guestAgentStatus: string | undefined;
  /** OS and data disks; `[]` when the properties name none; `undefined` when the row has no properties. */
  readonly disks: readonly VmDisk[] | undefined;
}

// Field paths (rules.md, "Classic VM"). A wrong path is a one-line change here.
export const PATH = {
  cloudService: 'domainName.id',
  availabilitySet: 'hardwareProfile.availabilitySet',
  virtualNetwork: 'networkProfile.virtualNetwork',
  virtualNetworkId: 'id',
  virtualNetworkName: 'name',
  subnetNames: 'subnetNames',
  inputEndpoints: 'networkProfile.inputEndpoints',
  endpointName: 'endpointName',
  endpointAclRules: 'endpointAcl.rules',
  extensions: 'extensions',
  extensionName: 'extension',
  extensionPublisher: 'publisher',
  extensionVersion: 'version',
  extensionReferenceName: 'referenceName',
  bootDiagnosticsEnabled: 'debugProfile.bootDiagnosticsEnabled',
  serialOutputBlobUri: 'debugProfile.serialOutputBlobUri',
  roleStatus: 'instanceView.status',
  guestAgentStatus: 'instanceView.guestAgentStatus.status',
  osDisk: 'storageProfile.operatingSystemDisk',
  dataDisks: 'storageProfile.dataDisks',
  diskAccount: 'storageAccount.name',
  diskVhd: 'vhdUri',
} as const;

// Blob URIs are parsed by hand, with native searches: `new URL` (three per VM row) cost more than all the rules.

/** Where the host starts (after `scheme://`), or -1 when the URI has no scheme. */
function hostStart(uri: string): number {
  const sep = uri.indexOf('://');
  if (sep <= 0) return -1;
  for (let i = 0; i < sep; i++) {
    const c = uri.charCodeAt(i) | 0x20; // lower-case letters; digits, '+', '-', '.' unaffected
    const letter = c >= 97 && c <= 122;
    if (!letter && (i === 0 || !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)))
      return -1;
  }
  return sep + 3;
}

/** `end`, or the index of `char` in `s` at or after `from` when that is smaller. */
function before(s: string, char: string, from: number, end: number): number {
  const i = s.indexOf(char, from);
  return i >= 0 && i < end ? i : end;
}

/** Where the path, query or fragment after the host starts (or the end of the URI). */
function hostEnd(s: string, start: number): number {
  return before(s, '/', start, before(s, '?', start, before(s, '#', start, s.length)));
}

/** The first DNS label of a URI's host (`https://acct.blob.core.windows.net/...` → `acct`), lower-cased. */
export function accountOfBlobUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const s = uri.trim();
  const start = hostStart(s);
  if (start < 0) return undefined;
  const host = hostEnd(s, start);
  const end = before(s, ':', start, before(s, '.', start, host));
  return end > start ? s.slice(start, end).toLowerCase() : undefined;
}

/**
 * The blob name of a blob URI: the path after the container
 * (`https://acct.blob.core.windows.net/{container}/{blob}` → `{blob}`), percent-decoded, query ignored.
 */
export function blobNameOfUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const s = uri.trim();
  const start = hostStart(s);
  if (start < 0) return undefined;
  const end = before(s, '?', start, before(s, '#', start, s.length));
  const pathStart = s.indexOf('/', start);
  if (pathStart < 0 || pathStart >= end) return undefined;
  const containerEnd = s.indexOf('/', pathStart + 1);
  if (containerEnd < 0 || containerEnd + 1 >= end) return undefined;
  const blob = s.slice(containerEnd + 1, end);
  if (!blob.includes('%')) return blob;
  try {
    return decodeURIComponent(blob);
  } catch {
    return blob;
  }
}

// The readers below follow the PATH table step by step, as `at` would, but with a named property read per step:
// `at`'s one keyed read for every path was a fifth of rule evaluation (profiled).
// test/rules/views-equivalence.test.ts holds them equal to reading the PATH table with `at`.

/** `VmDisk.accountKey` of a disk (an object). */
function accountKeyOf(d: Record<string, unknown>): string | undefined {
  return (text(record(d.storageAccount)?.name) ?? accountOfBlobUri(text(d.vhdUri)))?.toLowerCase();
}

function disk(value: unknown, role: VmDisk['role']): VmDisk | undefined {
  const d = record(value);
  if (d === undefined) return undefined;
  const storageAccount = text(record(d.storageAccount)?.name);
  const vhdUri = text(d.vhdUri);
  const account = storageAccount ?? accountOfBlobUri(vhdUri);
  return {
    role,
    storageAccount,
    vhdUri,
    account,
    accountKey: account?.toLowerCase(),
    blobName: blobNameOfUri(vhdUri),
  };
}

const NONE: readonly never[] = Object.freeze([]);

/** What a row without properties says: nothing. */
const UNKNOWN: ClassicVmView = Object.freeze({
  hasProperties: false,
  cloudServiceId: undefined,
  availabilitySet: undefined,
  virtualNetwork: undefined,
  inputEndpoints: NONE,
  extensions: NONE,
  bootDiagnosticsEnabled: false,
  bootDiagnosticsAccount: undefined,
  roleStatus: undefined,
  guestAgentStatus: undefined,
  disks: undefined,
});

function endpointsOf(value: unknown): readonly InputEndpoint[] {
  if (!Array.isArray(value) || value.length === 0) return NONE;
  const endpoints: InputEndpoint[] = [];
  for (const item of value) {
    const e = record(item);
    if (e === undefined) continue;
    const rules: unknown = record(e.endpointAcl)?.rules;
    endpoints.push({
      name: text(e.endpointName),
      aclRules: Array.isArray(rules) ? rules.length : 0,
    });
  }
  return endpoints.length > 0 ? endpoints : NONE;
}

function extensionsOf(value: unknown): readonly VmExtension[] {
  if (!Array.isArray(value) || value.length === 0) return NONE;
  const extensions: VmExtension[] = [];
  for (const item of value) {
    const e = record(item);
    if (e === undefined) continue;
    extensions.push({
      extension: str(e.extension),
      publisher: str(e.publisher),
      version: str(e.version),
      referenceName: str(e.referenceName),
    });
  }
  return extensions.length > 0 ? extensions : NONE;
}

function disksOf(storage: Record<string, unknown> | undefined): readonly VmDisk[] {
  if (storage === undefined) return NONE;
  const os = disk(storage.operatingSystemDisk, 'os');
  const data: unknown = storage.dataDisks;
  if (!Array.isArray(data) || data.length === 0) return os ? [os] : NONE;
  const disks: VmDisk[] = os ? [os] : [];
  for (const d of data) {
    const one = disk(d, 'data');
    if (one) disks.push(one);
  }
  return disks.length > 0 ? disks : NONE;
}

// Single fields, read from the properties (an object): what the view holds, for readers that need one field of
// many VMs (the cross-resource rules, the VM index, the migration plan) and would waste the rest of a view.

function cloudServiceIdIn(p: Record<string, unknown>): string | undefined {
  return text(record(p.domainName)?.id);
}

function availabilitySetIn(p: Record<string, unknown>): string | undefined {
  return text(record(p.hardwareProfile)?.availabilitySet);
}

function virtualNetworkIn(network: Record<string, unknown> | undefined): VirtualNetworkRef | null {
  const vnet = record(network?.virtualNetwork);
  return vnet
    ? { id: text(vnet.id), name: text(vnet.name), subnetNames: distinctTexts(vnet.subnetNames) }
    : null;
}

/** `ClassicVmView.cloudServiceId` of a row, without the rest of the view. */
export function vmCloudServiceId(row: ResourceRow): string | undefined {
  const p = record(row.properties);
  return p === undefined ? undefined : cloudServiceIdIn(p);
}

/** `ClassicVmView.availabilitySet` of a row, without the rest of the view. */
export function vmAvailabilitySet(row: ResourceRow): string | undefined {
  const p = record(row.properties);
  return p === undefined ? undefined : availabilitySetIn(p);
}

/** `ClassicVmView.virtualNetwork` of a row, without the rest of the view. */
export function vmVirtualNetwork(row: ResourceRow): VirtualNetworkRef | null | undefined {
  const p = record(row.properties);
  return p === undefined ? undefined : virtualNetworkIn(record(p.networkProfile));
}

/** `ClassicVmView.disks` of a row, without the rest of the view. */
export function vmDisks(row: ResourceRow): readonly VmDisk[] | undefined {
  const p = record(row.properties);
  return p === undefined ? undefined : disksOf(record(p.storageProfile));
}

/**
 * The `accountKey`s of `ClassicVmView.disks` that are defined, in disk order (repeats kept), without the rest of the
 * disks; undefined when the row has no properties.
 */
export function vmDiskAccountKeys(row: ResourceRow): readonly string[] | undefined {
  const p = record(row.properties);
  if (p === undefined) return undefined;
  const storage = record(p.storageProfile);
  if (storage === undefined) return NONE;
  const keys: string[] = [];
  const os = record(storage.operatingSystemDisk);
  const osKey = os && accountKeyOf(os);
  if (osKey !== undefined) keys.push(osKey);
  const data: unknown = storage.dataDisks;
  if (Array.isArray(data)) {
    for (const item of data) {
      const d = record(item);
      const key = d && accountKeyOf(d);
      if (key !== undefined) keys.push(key);
    }
  }
  return keys.length > 0 ? keys : NONE;
}

function build(row: ResourceRow): ClassicVmView {
  const p = record(row.properties);
  if (p === undefined) return UNKNOWN;
  const network = record(p.networkProfile);
  const debug = record(p.debugProfile);
  const instance = record(p.instanceView);
  return {
    hasProperties: true,
    cloudServiceId: cloudServiceIdIn(p),
    availabilitySet: availabilitySetIn(p),
    virtualNetwork: virtualNetworkIn(network),
    inputEndpoints: endpointsOf(network?.inputEndpoints),
    extensions: extensionsOf(p.extensions),
    bootDiagnosticsEnabled: bool(debug?.bootDiagnosticsEnabled) === true,
    bootDiagnosticsAccount: accountOfBlobUri(text(debug?.serialOutputBlobUri)),
    roleStatus: text(instance?.status),
    guestAgentStatus: text(record(instance?.guestAgentStatus)?.status),
    disks: disksOf(record(p.storageProfile)),
  };
}

// The engine runs every rule of a row back to back: a dozen rules read the view of one row, built once. Views are
// not kept beyond the last row (a cache per row object, a WeakMap, cost more than it saved: profiled); readers of
// many VMs read the single fields they need (above).
let lastRow: ResourceRow | undefined;
let lastView: ClassicVmView | undefined;

/** The view of a classic VM row (treat it as read-only). */
export function classicVm(row: ResourceRow): ClassicVmView {
  if (row !== lastRow || lastView === undefined) {
    lastView = build(row);
    lastRow = row;
  }
  return lastView;
}

/** A readable name for an extension in messages. */
export function extensionLabel(e: VmExtension): string {
  const name = e.extension ?? e.referenceName ?? '(unnamed extension)';
  return e.publisher ? `${name} (${e.publisher})` : name;
}
