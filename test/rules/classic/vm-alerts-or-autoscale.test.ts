import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-alerts-or-autoscale.js';
import { expectVerdicts, row } from '../../support/rule-tester.js';
import {
  armId,
  cloudService,
  csId,
  elsewhere,
  OTHER_SUB,
  shouting,
  storage,
  T,
  vm,
  vmId,
} from '../fixtures.js';

const alert = (name: string, resourceUri: unknown, sub?: string) =>
  row(T.alertRule, armId('Microsoft.Insights', 'alertRules', name, sub), {
    condition: { dataSource: { resourceUri, metricName: 'Percentage CPU' } },
  });
const autoscale = (name: string, targetResourceUri: unknown) =>
  row(T.autoscale, armId('Microsoft.Insights', 'autoscaleSettings', name), { targetResourceUri });

describe('classic/vm-alerts-or-autoscale', () => {
  it('fails exactly the classic VMs and cloud services an alert rule or autoscale setting targets', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', {}),
        'alert-A': alert('alert-A', vmId('vm-A')),
        'vm-B': shouting(vm('vm-B', {})),
        'autoscale-B': autoscale('autoscale-B', vmId('vm-B').toLowerCase()),
        'vm-C': vm('vm-C', null),
        'cs-A': cloudService('cs-A', {}),
        'alert-CS': elsewhere(alert('alert-CS', `${csId('cs-A')}/`, OTHER_SUB)),
        'autoscale-CS': autoscale('autoscale-CS', csId('cs-A').toUpperCase()),
        'cs-B': cloudService('cs-B', {}),
        'alert-X': row(T.alertRule, armId('Microsoft.Insights', 'alertRules', 'alert-X'), {
          condition: null,
        }),
        'autoscale-Y': autoscale('autoscale-Y', 42),
        'alert-Z': alert('alert-Z', vmId('vm-C').replace('vm-C', 'vm-C2')),
        'sa-A': storage('saa'),
        'alert-SA': alert('alert-SA', storage('saa').id),
      },
      fail: ['vm-A', 'vm-B', 'cs-A'],
      pass: ['cs-B'],
      notApplicable: [
        'vm-C',
        'alert-A',
        'autoscale-B',
        'alert-CS',
        'autoscale-CS',
        'alert-X',
        'autoscale-Y',
        'alert-Z',
        'sa-A',
        'alert-SA',
      ],
      messages: {
        'vm-A': 'alert rule(s) alert-A',
        'vm-B': 'autoscale setting(s) autoscale-B',
        'cs-A': `alert rule(s) alert-CS (subscription ${OTHER_SUB}) and autoscale setting(s) autoscale-CS`,
      },
    });
  });
});
