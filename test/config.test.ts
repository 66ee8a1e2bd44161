// Settings whose defaults depend on other settings, and lists an operator types by hand.
import { describe, expect, it } from 'vitest';
import { ConfigError, EMAIL_LIMITS, isAzureManagedSender, loadConfig } from '../src/config.js';

const BASE = {
  TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  COMMUNICATION_SERVICES_ENDPOINT: 'https://acs-x.europe.communication.azure.com',
};
const MANAGED_SENDER = 'DoNotReply@0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.azurecomm.net';

describe('e-mail limits', () => {
  it('default to the Azure-managed domain limits (5 a minute, 10 an hour) for a <guid>.azurecomm.net sender', () => {
    const { email } = loadConfig({ ...BASE, EMAIL_SENDER: MANAGED_SENDER });
    expect(EMAIL_LIMITS.azureManagedDomain).toEqual({ perMinute: 5, perHour: 10 });
    expect([email.maxPerMinute, email.maxPerHour]).toEqual([5, 10]);
  });

  it('default to the custom domain limits (30 a minute, 100 an hour) for any other sender', () => {
    const { email } = loadConfig({ ...BASE, EMAIL_SENDER: 'readiness@mail.contoso.com' });
    expect(EMAIL_LIMITS.customDomain).toEqual({ perMinute: 30, perHour: 100 });
    expect([email.maxPerMinute, email.maxPerHour]).toEqual([30, 100]);
  });

  it('take explicit values as given, and still name a wrong one', () => {
    const { email } = loadConfig({
      ...BASE,
      EMAIL_SENDER: MANAGED_SENDER,
      EMAIL_MAX_PER_MINUTE: '2',
      EMAIL_MAX_PER_HOUR: ' 8 ',
    });
    expect([email.maxPerMinute, email.maxPerHour]).toEqual([2, 8]);
    expect(() =>
      loadConfig({ ...BASE, EMAIL_SENDER: MANAGED_SENDER, EMAIL_MAX_PER_HOUR: 'ten' }),
    ).toThrow(ConfigError);
  });

  it('recognises the managed domain only as the whole domain suffix', () => {
    expect(isAzureManagedSender(` ${MANAGED_SENDER} `)).toBe(true);
    expect(isAzureManagedSender('DoNotReply@AZURECOMM.NET')).toBe(false);
    expect(isAzureManagedSender('a@azurecomm.net.contoso.com')).toBe(false);
    expect(isAzureManagedSender('a@notazurecomm.net')).toBe(false);
  });
});

describe('recipient lists', () => {
  it('trim each address of OPERATOR_RECIPIENTS and DIGEST_DEFAULT_RECIPIENTS', () => {
    const { email } = loadConfig({
      ...BASE,
      EMAIL_SENDER: MANAGED_SENDER,
      OPERATOR_RECIPIENTS: 'a@x.example, b@y.example ;c@z.example,',
      DIGEST_DEFAULT_RECIPIENTS: ' team@x.example ',
    });
    expect(email.operatorRecipients).toEqual(['a@x.example', 'b@y.example', 'c@z.example']);
    expect(email.defaultRecipients).toEqual(['team@x.example']);
  });
});

const QUEUE_BASE = { TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

describe('the scan queue', () => {
  it('is identity-based with SCAN_QUEUE_ENDPOINT, a connection string otherwise, and off when neither is set', () => {
    expect(
      loadConfig({ ...QUEUE_BASE, SCAN_QUEUE_ENDPOINT: 'https://st1.queue.core.windows.net' })
        .scanQueue,
    ).toMatchObject({
      connection: { kind: 'identity', endpoint: 'https://st1.queue.core.windows.net' },
      name: 'readiness-scan-batches',
    });
    expect(
      loadConfig({ ...QUEUE_BASE, SCAN_QUEUE_CONNECTION_STRING: 'UseDevelopmentStorage=true' })
        .scanQueue.connection.kind,
    ).toBe('connectionString');
    expect(loadConfig(QUEUE_BASE).scanQueue.connection.kind).toBe('none');
  });

  it('names a bad queue name and a doubly configured connection', () => {
    for (const bad of ['Scan', 'a', 'scan--batches', '-scan', 'x'.repeat(57)]) {
      expect(() => loadConfig({ ...QUEUE_BASE, SCAN_QUEUE_NAME: bad }), bad).toThrow(
        /SCAN_QUEUE_NAME/,
      );
    }
    expect(() =>
      loadConfig({
        ...QUEUE_BASE,
        SCAN_QUEUE_ENDPOINT: 'https://st1.queue.core.windows.net',
        SCAN_QUEUE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      }),
    ).toThrow(/SCAN_QUEUE_CONNECTION_STRING: set either/);
  });
});
