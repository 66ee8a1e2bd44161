// Typed view of a classic storage account (microsoft.classicstorage/storageaccounts), and the VM disks in it.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { classicVmIndex } from './classic-vm-index.js';
import { itemsOf, lookup } from './lookup.js';
import { at, compilePaths, text } from './values.js';

export const CLASSIC_STORAGE = 'microsoft.classicstorage/storageaccounts';

export interface ClassicStorageView {
  /** e.g. `Standard-GRS`, `Premium-LRS`. */
  readonly accountType: string | undefined;
}

// Field paths (rules.md, "Classic storage account").
export const PATH = {
  accountType: 'accountType',
} as const;

const P = compilePaths(PATH);

const PREMIUM = /^premium/i;

export function classicStorage(row: ResourceRow): ClassicStorageView {
  return { accountType: text(at(row.properties, P.accountType)) };
}

export function isPremium(view: ClassicStorageView): boolean {
  return view.accountType !== undefined && PREMIUM.test(view.accountType);
}

const STORAGE_TYPES = [CLASSIC_STORAGE];

function addStorageByName(row: ResourceRow, add: (key: string, row: ResourceRow) => void): void {
  add(row.name.toLowerCase(), row);
}

/** The classic storage accounts of the index with this name (names are global; compared case-insensitively). */
export function classicStorageNamed(
  index: ScanIndex,
  name: string | undefined,
): readonly ResourceRow[] {
  const byName = lookup(index, 'view/classic-storage:by-name', STORAGE_TYPES, addStorageByName);
  return itemsOf(byName, name?.toLowerCase());
}

/** The classic VMs with at least one disk (OS or data) in this storage account, matched by account name. */
export function vmsWithDisksIn(index: ScanIndex, account: ResourceRow): readonly ResourceRow[] {
  return itemsOf(classicVmIndex(index).byDiskAccount, account.name.toLowerCase());
}

/** The classic VMs of the index whose disks are unknown: whether any lives in a given account is unknown. */
export function vmsWithUnknownDisks(index: ScanIndex): readonly ResourceRow[] {
  return classicVmIndex(index).withUnknownDisks;
}

/** The number of disks (OS and data) of the index's classic VMs that live in this storage account. */
export function diskCountIn(index: ScanIndex, account: ResourceRow): number {
  return classicVmIndex(index).diskCount.get(account.name.toLowerCase()) ?? 0;
}
