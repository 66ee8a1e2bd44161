// One way to reach Table Storage for every store: a client per table, tables created once, errors read by status.
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { TablesConnection } from '../../config.js';

export interface TablesOptions {
  readonly connection: TablesConnection;
  readonly credential?: TokenCredential;
  readonly prefix: string;
  /** PEM of a CA to trust (local Azurite over HTTPS). */
  readonly ca?: string;
}

/** A client for `{prefix}{suffix}`: a connection string locally (Azurite over http), the identity in Azure. */
export function tableClient(options: TablesOptions, suffix: string): TableClient {
  const table = `${options.prefix}${suffix}`;
  if (options.connection.kind === 'connectionString') {
    return TableClient.fromConnectionString(options.connection.value, table, {
      allowInsecureConnection: true,
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    });
  }
  if (!options.credential) throw new Error('identity-based Table Storage needs a credential');
  return new TableClient(
    options.connection.endpoint,
    table,
    options.credential,
    options.ca ? { tlsOptions: { ca: options.ca } } : {},
  );
}

/** Creates the tables once per store (an existing table is fine); a failure is retried on the next call. */
export function tablesReady(tables: readonly TableClient[]): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= Promise.all(tables.map((t) => t.createTable())).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };
}

/** The HTTP status of a storage error (`RestError.code` can be undefined, e.g. on 412). */
export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { statusCode?: number }).statusCode
    : undefined;
}
