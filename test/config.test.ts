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

const WITH_SENDER = { ...BASE, EMAIL_SENDER: 'readiness@contoso.com' };

describe('PLATFORM_CONTACT (issue 21)', () => {
  it('is the address exemption requests go to: one e-mail address, else the first default recipient', () => {
    expect(
      loadConfig({ ...WITH_SENDER, PLATFORM_CONTACT: ' platform@contoso.com ' }).platformContact,
    ).toBe('platform@contoso.com');
    expect(
      loadConfig({ ...WITH_SENDER, DIGEST_DEFAULT_RECIPIENTS: 'team@contoso.com,b@contoso.com' })
        .platformContact,
    ).toBe('team@contoso.com');
    expect(loadConfig(WITH_SENDER).platformContact).toBeUndefined();
  });

  it('names a wrong value', () => {
    for (const bad of ['not an address', 'a@contoso.com,b@contoso.com']) {
      try {
        loadConfig({ ...WITH_SENDER, PLATFORM_CONTACT: bad });
        expect.unreachable(`PLATFORM_CONTACT=${bad} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual([
          { setting: 'PLATFORM_CONTACT', message: 'must be one e-mail address' },
        ]);
      }
    }
  });
});
