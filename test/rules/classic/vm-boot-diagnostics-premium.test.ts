import { describe, it } from 'vitest';
import rule from '../../../src/rules/classic/vm-boot-diagnostics-premium.js';
import { expectVerdicts } from '../../support/rule-tester.js';
import { shouting, storage, vm } from '../fixtures.js';

const diagnostics = (enabled: unknown, account?: string) => ({
  debugProfile: {
    bootDiagnosticsEnabled: enabled,
    ...(account === undefined
      ? {}
      : {
          serialOutputBlobUri: `https://${account}.blob.core.windows.net/bootdiagnostics/serial.log`,
        }),
  },
});

describe('classic/vm-boot-diagnostics-premium', () => {
  it('fails exactly the VMs whose boot diagnostics go to a Premium classic account', () => {
    expectVerdicts(rule, {
      rows: {
        'sa-A': storage('sapremium', { accountType: 'Premium-LRS' }),
        'sa-B': storage('sastandard', { accountType: 'Standard-GRS' }),
        'sa-C': shouting(storage('SAUPPER', { accountType: 'premium_lrs' })),
        'sa-D': storage('sabroken', { accountType: 42 }),
        'vm-A': vm('vm-A', diagnostics(true, 'sapremium')),
        'vm-B': vm('vm-B', diagnostics(true, 'sastandard')),
        'vm-C': vm('vm-C', diagnostics(false, 'sapremium')),
        'vm-D': shouting(vm('vm-D', diagnostics('true', 'SaUpper'))),
        'vm-E': vm('vm-E', diagnostics(true, 'elsewhere')),
        'vm-F': vm('vm-F', {
          debugProfile: { bootDiagnosticsEnabled: true, serialOutputBlobUri: 'not a url' },
        }),
        'vm-G': vm('vm-G', diagnostics(true)),
        'vm-H': vm('vm-H', null),
        'vm-I': vm('vm-I', { debugProfile: 'enabled' }),
        'vm-J': vm('vm-J', diagnostics(true, 'sabroken')),
        'vm-K': vm('vm-K', diagnostics(null, 'sapremium')),
      },
      fail: ['vm-A', 'vm-D'],
      pass: ['vm-B', 'vm-C', 'vm-I', 'vm-J', 'vm-K'],
      notApplicable: ['vm-H', 'vm-E', 'vm-F', 'vm-G', 'sa-A', 'sa-B', 'sa-C', 'sa-D'],
      messages: { 'vm-A': 'sapremium (Premium-LRS)', 'vm-D': 'SAUPPER' },
    });
  });
});
