// Self-signed TLS certificates for the local emulators (the Azure SDKs refuse bearer tokens over plain http).
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface SelfSignedCert {
  /** PEM private key (PKCS#8). */
  readonly key: string;
  /** PEM certificate; also the CA a client must trust (`tlsOptions.ca`, `NODE_EXTRA_CA_CERTS`). */
  readonly cert: string;
}

export interface SelfSignedCertOptions {
  /** DNS names and IP addresses the certificate is valid for; the first one is the common name. */
  readonly hosts?: readonly string[];
  /** Validity in days (default 30: long enough for a dev session, short enough to never matter). */
  readonly days?: number;
}

const DEFAULT_HOSTS = ['localhost', '127.0.0.1'] as const;

// Generation is cheap with EC keys (~20 ms) but several emulators may start in one test process:
// one certificate per host list is enough.
const cache = new Map<string, Promise<SelfSignedCert>>();

/**
 * A self-signed certificate whose subjectAltName lists every host, so Node's hostname check
 * passes for `https://localhost:…` and `https://127.0.0.1:…` alike when the client trusts `cert`.
 */
export function createSelfSignedCert(options: SelfSignedCertOptions = {}): Promise<SelfSignedCert> {
  const hosts = options.hosts && options.hosts.length > 0 ? [...options.hosts] : [...DEFAULT_HOSTS];
  const days = options.days ?? 30;
  const key = `${hosts.join(',')}|${days}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = generateCert(hosts, days);
    cache.set(key, pending);
    // A failed generation must not poison later calls.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function generateCert(hosts: string[], days: number): Promise<SelfSignedCert> {
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate small clock skew
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const altNames = hosts.map((host) =>
    isIP(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host },
  );
  const pems = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // The certificate is its own trust anchor, so it is marked as a CA that may sign itself.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
