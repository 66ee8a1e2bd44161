// The credential: DefaultAzureCredential (managed identity in Azure, your login locally) or a fixed token for local emulators.
import { DefaultAzureCredential } from '@azure/identity';
import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** Local emulators accept any bearer token; this one never leaves the machine. */
export const emulatorCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: 'local-emulator-token',
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

export function createCredential(mode: 'default' | 'emulator'): TokenCredential {
  return mode === 'emulator' ? emulatorCredential : new DefaultAzureCredential();
}
