import { describe, expect, it } from 'vitest';
import rule from '../../../src/rules/classic/vnet-expressroute.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { shouting, storage, vm, vnet } from '../fixtures.js';

describe('classic/vnet-expressroute (manual)', () => {
  it('is a manual info rule', () => {
    expect(rule.manual).toBe(true);
    expect(rule.severity).toBe('info');
  });

  it('asks for a check by hand once per classic VNet, whatever its properties', () => {
    expectVerdicts(rule, {
      rows: {
        'vnet-A': vnet('vnet-A'),
        'vnet-B': shouting(vnet('vnet-B', null)),
        'vnet-C': vnet('vnet-C', 'not-an-object'),
        'vm-A': vm('vm-A', {}),
        'sa-A': storage('saa'),
      },
      fail: ['vnet-A', 'vnet-B', 'vnet-C'],
      pass: [],
      notApplicable: ['vm-A', 'sa-A'],
      messages: { 'vnet-A': 'Check by hand', 'vnet-B': 'vnet-B' },
    });
  });
});
