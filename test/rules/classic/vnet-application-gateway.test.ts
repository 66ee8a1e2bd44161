import { describe } from 'vitest';
import rule from '../../../src/rules/classic/vnet-application-gateway.js';
import { manualVnetRuleCases } from '../fixtures.js';

describe('classic/vnet-application-gateway (manual)', () => {
  manualVnetRuleCases(rule);
});
