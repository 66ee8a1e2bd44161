// Shared fixture of the two storage rules, which are exact complements of each other.
import { shouting, storage, vm } from '../fixtures.js';

const blob = (account: string, path = 'vhds/disk.vhd') =>
  `https://${account}.blob.core.windows.net/${path}`;

export const STORAGE_CASES = {
  rows: {
    // Named by storageAccount.name on the OS disk.
    'sa-A': storage('saa'),
    'vm-A': vm('vm-A', {
      storageProfile: {
        operatingSystemDisk: { storageAccount: { name: 'saa' }, vhdUri: blob('saa') },
      },
    }),
    // Only the vhdUri host names the account (fallback), on data disks; two VMs.
    'sa-B': storage('sab'),
    'vm-B': vm('vm-B', {
      storageProfile: {
        dataDisks: [{ vhdUri: blob('sab', 'vhds/d0.vhd') }, { vhdUri: blob('SAB', 'vhds/d1.vhd') }],
      },
    }),
    'vm-D': vm('vm-D', {
      storageProfile: { operatingSystemDisk: { vhdUri: blob('sab', 'vhds/os.vhd') } },
    }),
    // No disk anywhere.
    'sa-C': storage('sac'),
    // Upper-case account name and type; the VM names it in lower case.
    'sa-D': shouting(storage('SAD')),
    'vm-E': vm('vm-E', {
      storageProfile: { operatingSystemDisk: { storageAccount: { name: 'sad' } } },
    }),
    // Malformed disks only.
    'sa-E': storage('sae'),
    'vm-F': vm('vm-F', { storageProfile: { operatingSystemDisk: null, dataDisks: blob('sae') } }),
    // An explicit storageAccount.name wins over the vhdUri host.
    'sa-F': storage('saf'),
    'vm-H': vm('vm-H', {
      storageProfile: {
        operatingSystemDisk: { storageAccount: { name: 'other' }, vhdUri: blob('saf') },
      },
    }),
  },
  withDisks: ['sa-A', 'sa-B', 'sa-D'],
  standalone: ['sa-C', 'sa-E', 'sa-F'],
  others: ['vm-A', 'vm-B', 'vm-D', 'vm-E', 'vm-F', 'vm-H'],
};
