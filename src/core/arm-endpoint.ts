// Where a Resource Graph (ARM) token may go: the Resource Manager endpoint of a known cloud, with that cloud's
// audience; the emulator's fixed token only to this machine; anything else only when the user says it is trusted.
// Endpoints and audiences: https://learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure
// and https://learn.microsoft.com/azure/china/resources-developer-guide (management.usgovcloudapi.net,
// management.chinacloudapi.cn); the public cloud is management.azure.com.

export const KNOWN_CLOUDS: Readonly<Record<string, string>> = {
  'management.azure.com': 'AzureCloud',
  'management.usgovcloudapi.net': 'AzureUSGovernment',
  'management.chinacloudapi.cn': 'AzureChinaCloud',
};

export type EndpointTrust =
  /** A known cloud: DefaultAzureCredential, token for `scope`. */
  | { readonly kind: 'cloud'; readonly cloud: string; readonly scope: string }
  /** This machine: the emulator's fixed token. */
  | { readonly kind: 'loopback' }
  /** Another host the user explicitly trusts. */
  | { readonly kind: 'trusted'; readonly scope: string };

export class UntrustedEndpointError extends Error {
  constructor(
    readonly option: string,
    /** What is wrong, without the option's name. */
    readonly detail: string,
  ) {
    super(`${option}: ${detail}`);
    this.name = 'UntrustedEndpointError';
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/**
 * Decides what credential an endpoint may receive. `credential` is what the caller intends to send
 * (`default`: an Entra token; `emulator`: the fixed local token); `trusted` is the explicit opt-in
 * (`--trust-endpoint`, RESOURCE_GRAPH_ENDPOINT_TRUSTED). `name` is how the endpoint was given, for messages.
 */
export function endpointTrust(
  endpoint: string,
  credential: 'default' | 'emulator',
  options: { readonly trusted?: boolean; readonly name: string; readonly trustOption: string },
): EndpointTrust {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UntrustedEndpointError(options.name, 'not a URL');
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.username || url.password)
    throw new UntrustedEndpointError(options.name, 'a URL with a user name or password is refused');
  if (credential === 'emulator') {
    if (isLoopbackHost(url.hostname)) return { kind: 'loopback' };
    throw new UntrustedEndpointError(
      options.name,
      `${shown} is not on this machine; the emulator credential goes only to localhost / 127.0.0.1 / ::1`,
    );
  }
  if (url.protocol !== 'https:')
    throw new UntrustedEndpointError(
      options.name,
      `${shown} is not https; no token is sent over plain http`,
    );
  const host = url.hostname.toLowerCase();
  const cloud = KNOWN_CLOUDS[host];
  if (cloud && (url.port === '' || url.port === '443'))
    return { kind: 'cloud', cloud, scope: `https://${host}/.default` };
  if (options.trusted) return { kind: 'trusted', scope: 'https://management.azure.com/.default' };
  throw new UntrustedEndpointError(
    options.name,
    `${shown} is not the Resource Manager endpoint of a known cloud (${Object.keys(KNOWN_CLOUDS).join(', ')}); ` +
      `an Azure token is sent there only with ${options.trustOption}`,
  );
}
