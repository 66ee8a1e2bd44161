import { describe } from 'vitest';
import rule from '../../../src/rules/classic/vnet-dynamics-lcs.js';
import { manualVnetRuleCases } from '../fixtures.js';

describe('classic/vnet-dynamics-lcs (manual)', () => {
  manualVnetRuleCases(rule);
});
