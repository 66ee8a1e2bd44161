import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-xml-extensions.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { ext, shouting, storage, vm, withExtensions } from '../fixtures.js';

describe('classic/vm-xml-extensions', () => {
  it('fails exactly the VMs with BGInfo 1.*, Visual Studio or Web Deploy extensions', () => {
    expectVerdicts(rule, {
      rows: {
        'vm-A': vm('vm-A', withExtensions(ext('BGInfo', 'Microsoft.Compute', '1.*'))),
        'vm-B': vm('vm-B', withExtensions(ext('BGInfo', 'Microsoft.Compute', '2.1'))),
        'vm-C': vm('vm-C', withExtensions(ext('bginfo', 'Microsoft.Compute', '1.1'))),
        'vm-D': vm(
          'vm-D',
          withExtensions(
            ext('VSRemoteDebugger', 'Microsoft.VisualStudio.Azure.RemoteDebug', '1.1'),
          ),
        ),
        'vm-E': vm('vm-E', withExtensions(ext('WebDeployForVSDevTest', 'Contoso', '1.0'))),
        'vm-F': vm('vm-F', withExtensions({ extension: 'BGInfo', publisher: 'Microsoft.Compute' })),
        'vm-G': vm('vm-G', withExtensions(ext('BGInfo', 'Microsoft.Compute', '10.0'))),
        'vm-H': vm('vm-H', withExtensions()),
        'vm-I': vm('vm-I', { extensions: { extension: 'BGInfo', version: '1.0' } }),
        'vm-J': shouting(
          vm(
            'vm-J',
            withExtensions(
              ext('Debugger', 'microsoft.visualstudio.windowsazure.remotedebug', '1.0'),
            ),
          ),
        ),
        'vm-K': vm('vm-K', withExtensions(ext('BGInfo', 'Microsoft.Compute', '1'))),
        'sa-A': storage('saa'),
      },
      fail: ['vm-A', 'vm-C', 'vm-D', 'vm-E', 'vm-J', 'vm-K'],
      pass: ['vm-B', 'vm-F', 'vm-G', 'vm-H', 'vm-I'],
      notApplicable: ['sa-A'],
      messages: {
        'vm-A': 'BGInfo (Microsoft.Compute) 1.*',
        'vm-D': 'VSRemoteDebugger',
        'vm-E': 'WebDeployForVSDevTest',
      },
    });
  });
});
