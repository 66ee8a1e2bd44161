import { describe } from 'vitest';
import rule from '../../../src/rules/classic/vnet-expressroute.js';
import { manualVnetRuleCases } from '../fixtures.js';

describe('classic/vnet-expressroute (manual)', () => {
  manualVnetRuleCases(rule);
});
