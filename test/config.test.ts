// Settings whose defaults depend on other settings, and lists an operator types by hand.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  EMAIL_LIMITS,
  isAzureManagedSender,
  loadConfig,
  signInConfigured,
} from '../src/config.js';

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

describe('sign-in settings', () => {
  const LOCAL = { TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
  const GROUP = '11111111-2222-4333-8444-555555555555';

  it('names the platform team by group object id or app role', () => {
    const config = loadConfig({
      ...LOCAL,
      APP_SERVICE_AUTHENTICATION: 'true',
      PLATFORM_TEAM_GROUP_ID: GROUP.toUpperCase(),
      PLATFORM_TEAM_APP_ROLE: 'Readiness.Platform',
    });
    expect(config.platformTeam).toEqual({ groupId: GROUP, appRole: 'Readiness.Platform' });
  });

  it('requires a platform team once sign-in is on', () => {
    expect(() => loadConfig({ ...LOCAL, APP_SERVICE_AUTHENTICATION: 'true' })).toThrow(
      /PLATFORM_TEAM_GROUP_ID: required when APP_SERVICE_AUTHENTICATION is true/,
    );
  });

  it('refuses a group that is not an object id and a role with spaces', () => {
    expect(() =>
      loadConfig({ ...LOCAL, APP_SERVICE_AUTHENTICATION: 'true', PLATFORM_TEAM_GROUP_ID: 'ops' }),
    ).toThrow(/PLATFORM_TEAM_GROUP_ID: must be a group's object id \(a GUID\)/);
    expect(() =>
      loadConfig({
        ...LOCAL,
        APP_SERVICE_AUTHENTICATION: 'true',
        PLATFORM_TEAM_APP_ROLE: 'platform team',
      }),
    ).toThrow(/PLATFORM_TEAM_APP_ROLE: must be an app role value/);
  });

  it('in Azure, trusts the principal only where App Service Authentication is really on', () => {
    const azure = {
      ...LOCAL,
      WEBSITE_SITE_NAME: 'func-x',
      APP_SERVICE_AUTHENTICATION: 'true',
      PLATFORM_TEAM_GROUP_ID: GROUP,
    };
    expect(() => loadConfig(azure)).toThrow(
      /APP_SERVICE_AUTHENTICATION: .*App Service Authentication is not enabled on this app \(WEBSITE_AUTH_ENABLED\)/,
    );
    expect(loadConfig({ ...azure, WEBSITE_AUTH_ENABLED: 'True' }).appServiceAuthentication).toBe(
      true,
    );
  });

  it('reads sign-in for the registration the same way, off unless exactly true', () => {
    expect(signInConfigured({ APP_SERVICE_AUTHENTICATION: ' TRUE ' })).toBe(true);
    for (const value of [undefined, '', 'false', 'yes', '1'])
      expect(signInConfigured({ APP_SERVICE_AUTHENTICATION: value })).toBe(false);
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
