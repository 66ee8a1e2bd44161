// Issue 19 items 2, 5 and 6 on the command line: where the ARM token goes, bounded inputs and URL fetches, and no
// credential or file content in any message.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCert } from '../../dev/tls.js';
import { jsonLogger, silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { forgetCachedStatus } from '../../src/functions/get-status.js';
import { FUNCTIONS } from '../../src/functions/registry.js';
import { endpointTrust } from '../../src/core/arm-endpoint.js';
import { redact } from '../../src/core/redact.js';
import { run, tempFiles } from '../support/cli.js';

const { file } = tempFiles('readiness-cli-security-');

describe('item 2: the ARM token goes only to known clouds', () => {
  it('refuses an --endpoint that is neither a known cloud nor this machine, before any request', async () => {
    const { code, stderr } = await run(
      'scan',
      '--tenant',
      '--endpoint',
      'https://elsewhere.example',
      '--format',
      'json',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--endpoint: https:\/\/elsewhere\.example is not the Resource Manager endpoint of a known cloud/,
    );
    expect(stderr).toMatch(/--trust-endpoint/);
  });

  it('gives each known cloud its own audience, the emulator only loopback, and others only when trusted', () => {
    const opts = { name: 'x', trustOption: '--trust-endpoint' };
    expect(endpointTrust('https://management.azure.com', 'default', opts)).toEqual({
      kind: 'cloud',
      cloud: 'AzureCloud',
      scope: 'https://management.azure.com/.default',
    });
    expect(endpointTrust('https://management.usgovcloudapi.net/', 'default', opts)).toMatchObject({
      scope: 'https://management.usgovcloudapi.net/.default',
    });
    expect(endpointTrust('https://management.chinacloudapi.cn', 'default', opts)).toMatchObject({
      scope: 'https://management.chinacloudapi.cn/.default',
    });
    expect(endpointTrust('https://127.0.0.1:8443', 'emulator', opts)).toEqual({ kind: 'loopback' });
    expect(endpointTrust('https://[::1]:8443', 'emulator', opts)).toEqual({ kind: 'loopback' });
    expect(() => endpointTrust('https://emulator.example', 'emulator', opts)).toThrow(
      /only to localhost/,
    );
    expect(() => endpointTrust('http://management.azure.com', 'default', opts)).toThrow(
      /not https/,
    );
    expect(() =>
      endpointTrust('https://management.azure.com.evil.example', 'default', opts),
    ).toThrow(/known cloud/);
    expect(() => endpointTrust('https://u:p@management.azure.com', 'default', opts)).toThrow(
      /user name/,
    );
    expect(
      endpointTrust('https://proxy.contoso.com', 'default', { ...opts, trusted: true }),
    ).toMatchObject({
      kind: 'trusted',
    });
  });

  it('applies the same rule to RESOURCE_GRAPH_ENDPOINT, with RESOURCE_GRAPH_ENDPOINT_TRUSTED as the opt-in', () => {
    const base = { TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
    expect(() =>
      loadConfig({ ...base, RESOURCE_GRAPH_ENDPOINT: 'https://elsewhere.example' }),
    ).toThrow(/RESOURCE_GRAPH_ENDPOINT: .*RESOURCE_GRAPH_ENDPOINT_TRUSTED=true/);
    expect(() =>
      loadConfig({
        ...base,
        CREDENTIAL_MODE: 'emulator',
        RESOURCE_GRAPH_ENDPOINT: 'https://elsewhere.example',
      }),
    ).toThrow(/RESOURCE_GRAPH_ENDPOINT: .*only to localhost/);
    expect(
      loadConfig({ ...base, RESOURCE_GRAPH_ENDPOINT: 'https://management.usgovcloudapi.net' })
        .resourceGraph.scope,
    ).toBe('https://management.usgovcloudapi.net/.default');
    expect(
      loadConfig({
        ...base,
        RESOURCE_GRAPH_ENDPOINT: 'https://elsewhere.example',
        RESOURCE_GRAPH_ENDPOINT_TRUSTED: 'true',
      }).resourceGraph.endpoint,
    ).toBe('https://elsewhere.example');
  });
});

describe('item 5: bounded inputs', () => {
  let server: Server;
  let base: string;
  let caFile: string;

  beforeAll(async () => {
    const cert = await createSelfSignedCert();
    caFile = file('ca.pem', cert.cert);
    server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      const port = (server.address() as AddressInfo).port;
      if (req.url === '/forever') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const write = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', write);
        };
        write();
      } else if (req.url === '/silent') {
        // Never answers.
      } else if (req.url === '/redirect-away') {
        res.writeHead(302, { Location: `https://localhost:${port}/feed` });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stops reading an endless --input at the limit and names the file and the limit', async () => {
    const { code, stderr } = await run('scan', '--input', '/dev/zero', '--max-input-mb', '1');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--input \/dev\/zero: larger than the limit of 1 MB \(raise it with --max-input-mb\)/,
    );
  });

  it('refuses a regular file over the limit before reading it, and reads it when the limit is raised', async () => {
    const big = file('big.json', `[${' '.repeat(2 * 1024 * 1024)}]`);
    const refused = await run('scan', '--input', big, '--max-input-mb', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--input ${big}: larger than the limit of 1 MB`);
    const raised = await run('scan', '--input', big, '--max-input-mb', '3', '--format', 'json');
    expect(raised.code).toBe(0);
  });

  it('caps a feed URL that streams forever', async () => {
    const { code, stderr } = await run(
      'rules',
      '--retirement-feed',
      `${base}/forever`,
      '--ca',
      caFile,
      '--max-input-mb',
      '1',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/larger than the limit of 1 MB/);
  });

  it('gives up on a feed URL that never answers', async () => {
    const { code, stderr } = await run(
      'rules',
      '--retirement-feed',
      `${base}/silent`,
      '--ca',
      caFile,
      '--fetch-timeout',
      '0.5',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/no complete answer within/);
  });

  it('refuses a redirect to another host, and plain http', async () => {
    const away = await run('rules', '--retirement-feed', `${base}/redirect-away`, '--ca', caFile);
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/redirected to another host/);
    const plain = await run('rules', '--retirement-feed', 'http://127.0.0.1:9/feed.json');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/not an https URL/);
  });
});

describe('item 6: no credentials or file content in messages', () => {
  it('redacts SAS signatures, user:password@ and keys', () => {
    const text = redact(
      'https://bob:hunter2@x.blob.core.windows.net/c/f.json?sv=2022&sig=AbCdEf%2B123 DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S3cr3t==;',
    );
    expect(text).not.toMatch(/hunter2|AbCdEf|S3cr3t/);
    expect(text).toContain('AccountName=a');
  });

  it('redacts the same way in the JSON logs and in what functions print through their context', async () => {
    const lines: string[] = [];
    jsonLogger((line) => lines.push(line)).error(
      'fetch https://bob:hunter2@feed.example/x?sig=AbCdEf failed',
      {
        url: 'https://st.blob.core.windows.net/c?sv=1&sig=AbCdEf',
      },
    );
    expect(lines.join('\n')).not.toMatch(/hunter2|AbCdEf/);
    const printed: string[] = [];
    const health = FUNCTIONS.find((f) => f.name === 'health');
    if (health?.kind !== 'http') throw new Error('no health function');
    // The registered handler gets a context whose log and error redact before the host sees them.
    setServices({
      ...createServices(
        loadConfig({ TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' }),
        silentLogger,
      ),
      store: {
        readStatus: () =>
          Promise.reject(new Error('DefaultEndpointsProtocol=https;AccountKey=S3cr3tKey==')),
      } as never,
    });
    forgetCachedStatus();
    try {
      await health.handler(
        {
          method: 'GET',
          url: 'http://localhost/api/health',
          query: new URLSearchParams(),
          params: {},
          headers: { get: () => null },
          text: async () => '',
        },
        {
          invocationId: 't',
          log: (...args: unknown[]) => printed.push(args.join(' ')),
          error: (...args: unknown[]) => printed.push(args.join(' ')),
        },
      );
    } finally {
      setServices(undefined);
      forgetCachedStatus();
    }
    expect(printed.join('\n')).toMatch(/AccountKey=\*\*\*/);
    expect(printed.join('\n')).not.toMatch(/S3cr3tKey/);
  });

  it('prints a failing feed URL without its credentials', async () => {
    const { code, stderr } = await run(
      'rules',
      '--retirement-feed',
      'https://bob:hunter2@127.0.0.1:9/feed.json?sv=2022-11-02&sig=AbCdEfGhIjKlMnOp%3D',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--retirement-feed');
    expect(stderr).not.toMatch(/hunter2|AbCdEfGhIjKlMnOp/);
  });

  it('reports JSON and YAML parse errors by file and position, never by content', async () => {
    const json = file('export-bad.json', '[{"id": "x"},\n AccountKey=S3cr3tKeyValue== ]');
    const scan = await run('scan', '--input', json);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain(`${json}: not valid JSON at line 2, column 2`);
    expect(scan.stderr).not.toMatch(/S3cr3t/);
    const yaml = file(
      'exemptions-bad.yaml',
      '- scope: {resourceId: x\n  note: AccountKey=S3cr3tKeyValue== [\n',
    );
    const exempt = await run('scan', '--input', file('empty.json', '[]'), '--exemptions', yaml);
    expect(exempt.code).toBe(2);
    expect(exempt.stderr).toMatch(
      new RegExp(`--exemptions ${yaml}: not valid YAML at line \\d+, column \\d+`),
    );
    expect(exempt.stderr).not.toMatch(/S3cr3t/);
    const feed = file('feed-bad.json', '{"content": [ password=hunter2 ]}');
    const rules = await run('rules', '--retirement-feed', feed);
    expect(rules.code).toBe(2);
    expect(rules.stderr).toMatch(
      /--retirement-feed .*feed-bad\.json: not valid JSON at line 1, column 15/,
    );
    expect(rules.stderr).not.toMatch(/hunter2/);
  });
});
