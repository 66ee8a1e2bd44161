import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/storage-account-has-vm-disks.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { STORAGE_CASES } from './storage-cases.js';

describe('classic/storage-account-has-vm-disks', () => {
  it('fails exactly the classic storage accounts that hold a classic VM disk', () => {
    expectVerdicts(rule, {
      rows: STORAGE_CASES.rows,
      fail: STORAGE_CASES.withDisks,
      pass: STORAGE_CASES.standalone,
      notApplicable: STORAGE_CASES.others,
      messages: {
        'sa-A': '1 disk of 1 classic VM (vm-A)',
        'sa-B': '3 disks of 2 classic VMs (vm-B and vm-D)',
      },
    });
  });
});
