import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/unattached-reserved-ip.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import { ripId, shouting, T, vnet } from '../fixtures.js';

const rip = (name: string, properties: unknown) => row(T.reservedIp, ripId(name), properties);

describe('classic/unattached-reserved-ip', () => {
  it('fails exactly the reserved IPs whose inUse is false', () => {
    expectVerdicts(rule, {
      rows: {
        'rip-A': rip('rip-A', { inUse: false, ipAddress: '20.1.2.3' }),
        'rip-B': rip('rip-B', { inUse: true }),
        'rip-C': rip('rip-C', {}),
        'rip-D': rip('rip-D', { inUse: 'false' }),
        'rip-E': rip('rip-E', { inUse: 'no' }),
        'rip-F': rip('rip-F', null),
        'rip-G': shouting(rip('rip-G', { inUse: false })),
        'rip-H': rip('rip-H', { inUse: null }),
        'vnet-A': vnet('vnet-A', { inUse: false }),
      },
      fail: ['rip-A', 'rip-D', 'rip-G'],
      pass: ['rip-B'],
      notApplicable: ['rip-C', 'rip-E', 'rip-F', 'rip-H', 'vnet-A'],
      messages: { 'rip-A': 'rip-A (20.1.2.3)' },
    });
  });
});
