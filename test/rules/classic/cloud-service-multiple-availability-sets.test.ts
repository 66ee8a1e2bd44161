import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/cloud-service-multiple-availability-sets.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, csId, shouting, vm } from '../fixtures.js';

const member = (service: string, availabilitySet?: unknown, serviceId = csId(service)) => ({
  domainName: { id: serviceId },
  ...(availabilitySet === undefined ? {} : { hardwareProfile: { availabilitySet } }),
});

describe('classic/cloud-service-multiple-availability-sets', () => {
  it('fails exactly the cloud services whose VMs use more than one availability set', () => {
    expectVerdicts(rule, {
      rows: {
        'cs-A': cloudService('cs-A', {}),
        'vm-A1': vm('vm-A1', member('cs-A', 'as-1')),
        'vm-A2': vm('vm-A2', member('cs-A', 'as-2')),
        'cs-B': cloudService('cs-B', null),
        'vm-B1': vm('vm-B1', member('cs-B', 'as-1')),
        'vm-B2': vm('vm-B2', member('cs-B', 'AS-1')),
        'cs-C': cloudService('cs-C', {}),
        'cs-D': cloudService('cs-D', {}),
        'vm-D1': vm('vm-D1', member('cs-D', 'as-1')),
        'vm-D2': vm('vm-D2', member('cs-D')),
        'cs-E': shouting(cloudService('cs-E', {})),
        'vm-E1': vm('vm-E1', member('cs-E', 'x', csId('cs-E').toLowerCase())),
        'vm-E2': vm('vm-E2', member('cs-E', 'y', `${csId('cs-E')}/`)),
        'cs-F': cloudService('cs-F', {}),
        'vm-F1': vm('vm-F1', member('cs-F', '')),
        'vm-F2': vm('vm-F2', member('cs-F', null)),
        'vm-F3': vm('vm-F3', member('cs-F', ['as-1', 'as-2'])),
        'vm-X': vm('vm-X', { domainName: 'cs-A' }),
      },
      fail: ['cs-A', 'cs-E'],
      pass: ['cs-D', 'cs-F'],
      notApplicable: [
        'cs-B',
        'cs-C',
        ...['vm-A1', 'vm-A2', 'vm-B1', 'vm-B2', 'vm-D1', 'vm-D2', 'vm-E1', 'vm-E2'],
        ...['vm-F1', 'vm-F2', 'vm-F3', 'vm-X'],
      ],
      messages: { 'cs-A': 'as-1 (vm-A1)', 'cs-E': '2 availability sets' },
    });
  });
});
