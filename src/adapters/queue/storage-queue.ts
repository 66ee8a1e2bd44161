// Storage Queues (Azurite's locally, the account's queue service in Azure) through @azure/storage-queue: the scan's
// batches are enqueued here, and the local host polls the same queue as the Functions host's queue trigger does.
// Messages are base64 text, the trigger's default encoding (host.json extensions.queues.messageEncoding):
// https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { newPipeline, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { BatchMessage, BatchQueue } from '../../app/ports.js';
import type { QueueConnection } from '../../config.js';

export interface StorageQueueOptions {
  readonly connection: Exclude<QueueConnection, { kind: 'none' }>;
  readonly name: string;
  readonly credential?: TokenCredential;
  /** PEM of a CA to trust (local Azurite over HTTPS). */
  readonly ca?: string;
}

/** A message as the trigger receives it. */
export interface ReceivedMessage {
  readonly id: string;
  readonly popReceipt: string;
  /** How many times it has been handed out, this time included (the trigger's `dequeueCount`). */
  readonly dequeueCount: number;
  readonly text: string;
  readonly insertedOn?: Date | undefined;
  readonly expiresOn?: Date | undefined;
  readonly nextVisibleOn?: Date | undefined;
}

function serviceClient(options: StorageQueueOptions): QueueServiceClient {
  if (options.connection.kind === 'connectionString')
    return QueueServiceClient.fromConnectionString(options.connection.value);
  if (!options.credential) throw new Error('identity-based Storage Queues need a credential');
  const pipeline = newPipeline(options.credential);
  if (options.ca) {
    // The storage pipeline takes no TLS options; its core HTTP client is where a request's CA is set.
    const inner = createDefaultHttpClient();
    const ca = options.ca;
    const client: HttpClient = {
      sendRequest: (request) => {
        request.tlsSettings = { ...request.tlsSettings, ca };
        return inner.sendRequest(request);
      },
    };
    (pipeline as unknown as { _coreHttpClient?: HttpClient })._coreHttpClient = client;
  }
  return new QueueServiceClient(options.connection.endpoint, pipeline);
}

export function encodeMessage(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

export function decodeMessage(text: string): unknown {
  const raw = /^[A-Za-z0-9+/=\s]+$/.test(text)
    ? Buffer.from(text, 'base64').toString('utf8')
    : text;
  return JSON.parse(raw) as unknown;
}

/** One queue and its poison queue (`<name>-poison`, as the Functions host names it). */
export class StorageQueue implements BatchQueue {
  readonly queue: QueueClient;
  readonly poison: QueueClient;
  private ready: Promise<void> | undefined;

  constructor(options: StorageQueueOptions) {
    const service = serviceClient(options);
    this.queue = service.getQueueClient(options.name);
    this.poison = service.getQueueClient(`${options.name}-poison`);
  }

  /** Creates both queues once (an existing queue is fine). */
  init(): Promise<void> {
    this.ready ??= Promise.all([
      this.queue.createIfNotExists(),
      this.poison.createIfNotExists(),
    ]).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }

  async enqueue(messages: readonly BatchMessage[]): Promise<void> {
    await this.init();
    for (let i = 0; i < messages.length; i += 16) {
      await Promise.all(
        messages.slice(i, i + 16).map((m) => this.queue.sendMessage(encodeMessage(m))),
      );
    }
  }

  /** Up to `count` (1-32) visible messages, hidden for `visibilitySeconds` while they are worked on. */
  async receive(count: number, visibilitySeconds: number): Promise<ReceivedMessage[]> {
    await this.init();
    const response = await this.queue.receiveMessages({
      numberOfMessages: count,
      visibilityTimeout: visibilitySeconds,
    });
    return response.receivedMessageItems.map((m) => ({
      id: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
      text: m.messageText,
      insertedOn: m.insertedOn,
      expiresOn: m.expiresOn,
      nextVisibleOn: m.nextVisibleOn,
    }));
  }

  async delete(message: ReceivedMessage): Promise<void> {
    await this.queue.deleteMessage(message.id, message.popReceipt);
  }

  /** Makes a failed message visible again after `seconds` (the trigger's visibilityTimeout between retries). */
  async release(message: ReceivedMessage, seconds: number): Promise<void> {
    await this.queue.updateMessage(message.id, message.popReceipt, undefined, seconds);
  }

  /** Copies a message that failed too often to the poison queue, then deletes it from the queue. */
  async toPoison(message: ReceivedMessage): Promise<void> {
    await this.init();
    await this.poison.sendMessage(message.text);
    await this.delete(message);
  }

  /** Messages visible now (approximate, as the service counts them). */
  async approximateCount(which: 'queue' | 'poison' = 'queue'): Promise<number> {
    await this.init();
    const client = which === 'queue' ? this.queue : this.poison;
    return (await client.getProperties()).approximateMessagesCount ?? 0;
  }
}
