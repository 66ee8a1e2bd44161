// Test harness for the Resource Graph emulator: the real SDK client, raw HTTPS calls and a small named tenant.
import { request as httpsRequest } from 'node:https';
import {
  ResourceGraphClient,
  type QueryRequest,
  type QueryResponse,
} from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import { expect } from 'vitest';
import type { RunningEmulator, Tenant } from '../../../dev/emulators/resource-graph/server.js';

export const credential: TokenCredential = {
  getToken: async () => ({ token: 'emulator', expiresOnTimestamp: Date.now() + 3600_000 }),
};

export function clientFor(emulator: RunningEmulator): ResourceGraphClient {
  return new ResourceGraphClient(credential, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.ca },
    retryOptions: { maxRetries: 0 },
  });
}

export interface Answered {
  response: QueryResponse;
  headers: Record<string, string | undefined>;
}

const QUOTA_HEADERS = [
  'x-ms-user-quota-remaining',
  'x-ms-user-quota-resets-after',
  'retry-after',
] as const;

/** One query through the SDK, with the quota headers read through `onResponse`. */
export async function query(
  client: ResourceGraphClient,
  body: QueryRequest,
  options: { abortSignal?: AbortSignal; headers?: Record<string, string | undefined> } = {},
): Promise<Answered> {
  const headers = options.headers ?? {};
  const response = await client.resources(body, {
    abortSignal: options.abortSignal,
    onResponse: (raw) => {
      for (const name of QUOTA_HEADERS) headers[name] = raw.headers.get(name);
    },
  });
  return { response, headers };
}

/** Pages a query to the end on `$skipToken`; returns every row and the number of pages. */
export async function pageAll(
  client: ResourceGraphClient,
  body: QueryRequest,
): Promise<{ rows: Record<string, unknown>[]; pages: number; totals: number[] }> {
  const rows: Record<string, unknown>[] = [];
  const totals: number[] = [];
  let skipToken: string | undefined;
  let pages = 0;
  do {
    const { response } = await query(client, { ...body, options: { ...body.options, skipToken } });
    pages++;
    totals.push(response.totalRecords);
    expect(response.count).toBe((response.data as unknown[]).length);
    rows.push(...(response.data as Record<string, unknown>[]));
    skipToken = response.skipToken;
  } while (skipToken);
  return { rows, pages, totals };
}

/** The REST error the SDK throws, in the shape the tests look at. */
export interface SdkError {
  statusCode?: number;
  code?: string;
  message: string;
  details?: {
    error?: { code?: string; message?: string; details?: { code: string; message: string }[] };
  };
}

export async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** A raw HTTPS request (for what the SDK never sends: no token, no api-version, the admin routes). */
export function raw(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}> {
  const url = new URL(path, emulator.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: emulator.ca,
        headers: { 'content-type': 'application/json', ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    );
  });
}

export const API = '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01';

export const SUB_A = '00000000-0000-4000-8000-00000000000a';
export const SUB_B = '00000000-0000-4000-8000-00000000000b';
export const SUB_C = '00000000-0000-4000-8000-00000000000c';

function res(
  sub: string,
  type: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const provider = type.split('/')[0] as string;
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${name}/providers/${provider}/${type.split('/')[1]}/${name}`,
    name,
    type,
    location: 'westeurope',
    subscriptionId: sub,
    resourceGroup: `rg-${name}`,
    tags: {},
    properties: {},
    ...extra,
  };
}

/** A small tenant with named rows: A and B under mg-a (root), C under mg-c (root). */
export function namedTenant(): Tenant {
  return {
    subscriptions: [
      {
        subscriptionId: SUB_A,
        displayName: 'Sub A',
        managementGroups: ['root', 'mg-a'],
        tags: { owner: 'a@x.example' },
      },
      { subscriptionId: SUB_B, displayName: 'Sub B', managementGroups: ['root', 'mg-a'] },
      { subscriptionId: SUB_C, displayName: 'Sub C', managementGroups: ['root', 'mg-c'] },
    ],
    resources: [
      res(SUB_A, 'microsoft.classiccompute/virtualmachines', 'vm-alpha', {
        tags: { Owner: 'alice@x.example' },
        kind: '',
      }),
      res(SUB_A, 'Microsoft.ClassicCompute/virtualMachines', 'VM-Bravo', {
        tags: { owner: 'bob@x.example' },
      }),
      res(SUB_A, 'microsoft.classicstorage/storageaccounts', 'stcharlie', {
        sku: { name: 'Standard-GRS' },
      }),
      res(SUB_B, 'microsoft.classicnetwork/virtualnetworks', 'vnet-delta', {
        location: 'northeurope',
      }),
      res(SUB_B, 'microsoft.compute/virtualmachines', 'vm-echo', { kind: 'it\'s "quoted"' }),
      res(SUB_C, 'microsoft.web/serverfarms', 'plan-foxtrot', {
        kind: 'functionapp,linux',
        sku: { tier: 'Dynamic' },
      }),
      res(SUB_C, 'microsoft.classiccompute/virtualmachines', 'vm-golf'),
    ],
    resourceGroups: [
      {
        id: `/subscriptions/${SUB_A}/resourceGroups/rg-vm-alpha`,
        name: 'rg-vm-alpha',
        type: 'microsoft.resources/subscriptions/resourcegroups',
        subscriptionId: SUB_A,
        resourceGroup: 'rg-vm-alpha',
        tags: { OwnerEmail: 'team@x.example' },
      },
    ],
    authorizationResources: [
      {
        id: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleAssignments/ra-1`,
        name: 'ra-1',
        type: 'microsoft.authorization/roleassignments',
        subscriptionId: SUB_A,
        properties: { scope: `/subscriptions/${SUB_A}` },
      },
    ],
  };
}

/** Names of the rows of a response (or rows), in order. */
export function names(rows: unknown): string[] {
  return (rows as { name?: unknown }[]).map((r) => String(r.name));
}
