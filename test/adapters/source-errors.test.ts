// What the Resource Graph source says when it cannot even sign in: what to run, not "could not be reached".
import type { TokenCredential } from '@azure/core-auth';
import { CredentialUnavailableError } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ResourceGraphSource } from '../../src/adapters/resource-graph/source.js';
import { SourceError } from '../../src/app/ports.js';

describe('a source that cannot sign in', () => {
  it('says to run az login (or which variables to set), once, without retrying', async () => {
    let asked = 0;
    const credential: TokenCredential = {
      getToken: () => {
        asked++;
        return Promise.reject(
          new CredentialUnavailableError(
            'DefaultAzureCredential failed to retrieve a token from the included credentials. '.repeat(
              12,
            ),
          ),
        );
      },
    };
    const source = new ResourceGraphSource({ credential, maxAttempts: 3, retryBaseMs: 1 });
    const pages = source.pages(
      { table: 'resources', types: ['x'], columns: ['id'] },
      { kind: 'tenant' },
    );
    const error = await (async () => {
      try {
        for await (const _ of pages) void _;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SourceError);
    const e = error as SourceError;
    expect(e.reason).toBe('unauthenticated');
    expect(e.message).toMatch(/run `az login`/);
    expect(e.message).toMatch(/AZURE_CLIENT_ID/);
    expect(e.message).not.toMatch(/could not be reached/);
    // Shortened at a word boundary, never mid-word.
    const original =
      'DefaultAzureCredential failed to retrieve a token from the included credentials. '.repeat(
        12,
      );
    const kept = (e.message.split('Detail: ')[1] ?? '').replace(/…$/, '');
    expect(e.message.endsWith('…')).toBe(true);
    expect(original.startsWith(kept)).toBe(true);
    expect(original[kept.length]).toBe(' ');
    expect(asked).toBe(1);
  });
});
