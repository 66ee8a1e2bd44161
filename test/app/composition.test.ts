// The composition root: settings become adapters; a retirement feed file refreshes the catalog's dates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { RETIREMENT_FEED_SNAPSHOT } from '../support/spec.js';

const base = {
  TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  CREDENTIAL_MODE: 'emulator',
  // The emulator credential goes only to this machine.
  RESOURCE_GRAPH_ENDPOINT: 'https://localhost:8443',
};

describe('createServices', () => {
  it('uses the retirement dates of RETIREMENT_FEED (the official feed file)', () => {
    const feed = RETIREMENT_FEED_SNAPSHOT;
    const services = createServices(loadConfig({ ...base, RETIREMENT_FEED: feed }), silentLogger);
    expect(
      services.rules.find((r) => r.id === 'retirement/cloud-services-extended-support')?.deadline,
    ).toBe('2027-03-31');
    const dir = mkdtempSync(join(tmpdir(), 'feed-'));
    const custom = join(dir, 'feed.json');
    writeFileSync(
      custom,
      JSON.stringify({
        version: '1',
        content: [
          {
            Id: 950,
            ServiceName: 'Cloud Services',
            RetiringFeature: 'Extended Support',
            RetirementDate: '2027-06-30',
            Link: 'https://example.com',
          },
        ],
      }),
    );
    const moved = createServices(loadConfig({ ...base, RETIREMENT_FEED: custom }), silentLogger);
    expect(
      moved.rules.find((r) => r.id === 'retirement/cloud-services-extended-support')?.deadline,
    ).toBe('2027-06-30');
  });

  it('names the setting when the feed cannot be read', () => {
    expect(() =>
      createServices(loadConfig({ ...base, RETIREMENT_FEED: '/nope/feed.json' }), silentLogger),
    ).toThrow(/RETIREMENT_FEED: cannot read/);
  });

  it('leaves e-mail off without Communication Services', () => {
    expect(createServices(loadConfig(base), silentLogger).mailer).toBeUndefined();
  });
});
