import { describe, expect, it } from 'vitest';
import rule from '../../../src/rules/classic/storage-account-standalone.js';
import { expectVerdicts, verdictOf } from '../../support/rule-tester.js';
import { storage, vm } from '../fixtures.js';
import { STORAGE_CASES } from './storage-cases.js';

describe('classic/storage-account-standalone', () => {
  it('fails exactly the classic storage accounts that hold no classic VM disk', () => {
    expectVerdicts(rule, {
      rows: STORAGE_CASES.rows,
      fail: STORAGE_CASES.standalone,
      pass: STORAGE_CASES.withDisks,
      notApplicable: STORAGE_CASES.others,
      messages: { 'sa-C': 'sac' },
    });
  });

  it('does not conclude "no disk here" while a classic VM of the scan has no properties', () => {
    const rows = { ...STORAGE_CASES.rows, 'vm-G': vm('vm-G', null), 'sa-G': storage('sag') };
    expectVerdicts(rule, {
      rows,
      fail: [],
      pass: STORAGE_CASES.withDisks,
      notApplicable: [...STORAGE_CASES.standalone, ...STORAGE_CASES.others, 'vm-G', 'sa-G'],
    });
    const outcome = verdictOf(rule, rows, 'sa-G');
    expect(outcome).toEqual({
      kind: 'not-applicable',
      reason: 'the disks of 1 classic VM of this scan are unknown (vm-G: rows without properties)',
    });
  });
});
