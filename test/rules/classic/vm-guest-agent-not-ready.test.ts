import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-guest-agent-not-ready.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { ext, shouting, storage, vm } from '../fixtures.js';

const bgInfo = ext('BGInfo', 'Microsoft.Compute', '2.1');
const agent = (status: unknown, extensions: unknown = [bgInfo]) => ({
  extensions,
  instanceView: { status: 'ReadyRole', guestAgentStatus: { status } },
});

describe('classic/vm-guest-agent-not-ready', () => {
  it('fails exactly the VMs with extensions whose guest agent reports a status other than Ready', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', agent('NotReady')),
        'vm-B': vm('vm-B', agent('Ready')),
        'vm-C': vm('vm-C', agent(' ready ')),
        'vm-D': vm('vm-D', agent('NotReady', [])),
        'vm-E': vm('vm-E', { extensions: [bgInfo] }),
        'vm-F': vm('vm-F', agent('Unresponsive', 'BGInfo')),
        'vm-G': vm('vm-G', agent('Unresponsive', [{}])),
        'vm-H': vm('vm-H', agent(null)),
        'vm-I': shouting(vm('vm-I', agent('Unknown'))),
        'vm-J': vm('vm-J', {
          extensions: [bgInfo],
          instanceView: { guestAgentStatus: 'NotReady' },
        }),
        'vm-K': vm('vm-K', null),
        'sa-A': storage('saa'),
      },
      fail: ['vm-A', 'vm-G', 'vm-I'],
      pass: ['vm-B', 'vm-C'],
      notApplicable: ['vm-D', 'vm-E', 'vm-F', 'vm-H', 'vm-J', 'vm-K', 'sa-A'],
      messages: { 'vm-A': 'NotReady', 'vm-I': 'BGInfo (Microsoft.Compute)' },
    });
  });
});
