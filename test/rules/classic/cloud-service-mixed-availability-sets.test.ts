import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/cloud-service-mixed-availability-sets.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, csId, shouting, vm } from '../fixtures.js';

const member = (service: string, availabilitySet?: unknown, serviceId = csId(service)) => ({
  domainName: { id: serviceId },
  ...(availabilitySet === undefined ? {} : { hardwareProfile: { availabilitySet } }),
});

describe('classic/cloud-service-mixed-availability-sets', () => {
  it('fails exactly the cloud services with VMs both in and out of availability sets', () => {
    expectVerdicts(rule, {
      rows: {
        'cs-A': cloudService('cs-A', {}),
        'vm-A1': vm('vm-A1', member('cs-A', 'as-1')),
        'vm-A2': vm('vm-A2', member('cs-A')),
        'cs-B': cloudService('cs-B', {}),
        'vm-B1': vm('vm-B1', member('cs-B', 'as-1')),
        'vm-B2': vm('vm-B2', member('cs-B', 'as-1')),
        'cs-C': cloudService('cs-C', {}),
        'vm-C1': vm('vm-C1', member('cs-C')),
        'vm-C2': vm('vm-C2', member('cs-C', null)),
        'cs-D': cloudService('cs-D', {}),
        'cs-E': cloudService('cs-E', {}),
        'vm-E1': vm('vm-E1', member('cs-E', 'as-1')),
        'vm-E2': vm('vm-E2', member('cs-E', 'as-2')),
        'vm-E3': vm('vm-E3', member('cs-E', '')),
        'cs-F': shouting(cloudService('cs-F', {})),
        'vm-F1': vm('vm-F1', member('cs-F', 'as-1', `${csId('cs-F').toUpperCase()}/`)),
        'vm-F2': vm('vm-F2', member('cs-F', 42)),
      },
      fail: ['cs-A', 'cs-E', 'cs-F'],
      pass: ['cs-B', 'cs-C'],
      notApplicable: [
        'cs-D',
        ...['vm-A1', 'vm-A2', 'vm-B1', 'vm-B2', 'vm-C1', 'vm-C2'],
        ...['vm-E1', 'vm-E2', 'vm-E3', 'vm-F1', 'vm-F2'],
      ],
      messages: { 'cs-A': 'vm-A1 are in an availability set while vm-A2', 'cs-E': 'vm-E3' },
    });
  });
});
