import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-defender-extension.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { cloudService, ext, shouting, vm, withExtensions } from '../fixtures.js';

describe('classic/vm-defender-extension', () => {
  it('fails exactly the VMs with a Microsoft.Azure.Security* extension', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm(
          'vm-A',
          withExtensions(ext('Monitoring', 'Microsoft.Azure.Security.Monitoring')),
        ),
        'vm-B': vm(
          'vm-B',
          withExtensions(
            ext('BGInfo', 'Microsoft.Compute'),
            ext('IaaSAntimalware', 'microsoft.azure.security'),
          ),
        ),
        'vm-C': vm('vm-C', withExtensions(ext('IaaSDiagnostics', 'Microsoft.Azure.Diagnostics'))),
        'vm-D': vm('vm-D', withExtensions()),
        'vm-E': vm('vm-E', { extensions: 'Microsoft.Azure.Security' }),
        'vm-F': vm('vm-F', { extensions: [null, 42, { publisher: 7 }] }),
        'vm-G': vm('vm-G', undefined),
        'vm-H': shouting(
          vm(
            'vm-H',
            withExtensions(ext('AzureSecurityLinuxAgent', 'MICROSOFT.AZURE.SECURITY.MONITORING')),
          ),
        ),
        'vm-I': vm('vm-I', withExtensions(ext('Custom', 'Contoso.Microsoft.Azure.Security'))),
        'cs-A': cloudService('cs-A', withExtensions(ext('Monitoring', 'Microsoft.Azure.Security'))),
      },
      fail: ['vm-A', 'vm-B', 'vm-H'],
      pass: ['vm-C', 'vm-D', 'vm-E', 'vm-F', 'vm-I'],
      notApplicable: ['cs-A', 'vm-G'],
      messages: {
        'vm-A': 'Monitoring (Microsoft.Azure.Security.Monitoring)',
        'vm-B': 'IaaSAntimalware',
      },
    });
  });
});
