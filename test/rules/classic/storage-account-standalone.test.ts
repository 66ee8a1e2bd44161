import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/storage-account-standalone.js';
import { expectVerdicts } from '../../support/rule-tester.js';
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
});
