// Sends e-mail through Azure Communication Services (the local emulator in dev) with a deterministic operation id.
import { createCommunicationAuthPolicy, parseClientArguments } from '@azure/communication-common';
import { EmailClient, type EmailClientOptions } from '@azure/communication-email';
import type { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { MailError, type Mailer, type OutgoingEmail, type SendOutcome } from '../../app/ports.js';
import type { EmailConnection } from '../../config.js';

export interface AcsMailerOptions {
  readonly connection: Exclude<EmailConnection, { kind: 'none' }>;
  readonly credential?: TokenCredential;
  readonly sender: string;
  /** PEM of a CA to trust (the local emulator). */
  readonly ca?: string;
  readonly pollIntervalMs?: number;
  readonly maxRetries?: number;
}

interface RestErrorLike {
  statusCode?: number;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

/** The Email API version of @azure/communication-email 1.1 (its operation-status route). */
const API_VERSION = '2025-09-01';

export class AcsMailer implements Mailer {
  private readonly client: EmailClient;
  private readonly endpoint: string;
  private readonly statusPipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();

  constructor(private readonly options: AcsMailerOptions) {
    const clientOptions: EmailClientOptions = {
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      // The SDK honours Retry-After on 429s; past these retries the digest run stops and resumes next run.
      retryOptions: { maxRetries: options.maxRetries ?? 2 },
      userAgentOptions: { userAgentPrefix: 'azure-readiness-scanner' },
    };
    if (options.connection.kind === 'connectionString') {
      this.client = new EmailClient(options.connection.value, clientOptions);
    } else {
      if (!options.credential)
        throw new Error('identity-based Communication Services needs a credential');
      this.client = new EmailClient(options.connection.endpoint, options.credential, clientOptions);
    }
    // The SDK's client has no public status call: the same auth policy (HMAC or Entra ID) on a plain pipeline.
    const { url, credential } =
      options.connection.kind === 'connectionString'
        ? parseClientArguments(options.connection.value)
        : parseClientArguments(options.connection.endpoint, options.credential as TokenCredential);
    this.endpoint = url.replace(/\/+$/, '');
    this.statusPipeline = createPipelineFromOptions({
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      retryOptions: { maxRetries: options.maxRetries ?? 2 },
      userAgentOptions: { userAgentPrefix: 'azure-readiness-scanner' },
    });
    this.statusPipeline.addPolicy(createCommunicationAuthPolicy(credential));
  }

  async outcome(operationId: string, signal?: AbortSignal): Promise<SendOutcome> {
    const request = createPipelineRequest({
      url: `${this.endpoint}/emails/operations/${encodeURIComponent(operationId)}?api-version=${API_VERSION}`,
      method: 'GET',
      ...(signal ? { abortSignal: signal } : {}),
    });
    const response = await this.statusPipeline.sendRequest(this.http, request);
    if (response.status === 404) return 'unknown';
    if (response.status !== 200)
      throw new MailError(
        `the e-mail service did not say what became of operation ${operationId} (${response.status})`,
        response.status === 429 ? 'throttled' : 'failed',
      );
    let status: unknown;
    try {
      status = (JSON.parse(response.bodyAsText ?? '{}') as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    switch (status) {
      case 'Succeeded':
        return 'delivered';
      case 'NotStarted':
      case 'Running':
        return 'in-progress';
      case 'Failed':
      case 'Canceled':
        return 'failed';
      default:
        throw new MailError(
          `the e-mail service answered an unknown status for operation ${operationId}`,
          'failed',
        );
    }
  }

  async send(email: OutgoingEmail, signal?: AbortSignal): Promise<void> {
    let result;
    try {
      const poller = await this.client.beginSend(
        {
          senderAddress: this.options.sender,
          content: { subject: email.subject, plainText: email.text, html: email.html },
          recipients: { to: [{ address: email.to }] },
          disableUserEngagementTracking: true,
        },
        {
          operationId: email.operationId,
          updateIntervalInMs: this.options.pollIntervalMs ?? 1000,
          ...(signal ? { abortSignal: signal } : {}),
        },
      );
      result = await poller.pollUntilDone();
    } catch (error) {
      const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
      const detail = (e.message ?? String(error)).slice(0, 300);
      if (e.statusCode === 429) {
        const retryAfter = Number(e.response?.headers?.get('retry-after'));
        throw new MailError(
          `the e-mail service is throttling (429): ${detail}`,
          'throttled',
          Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
        );
      }
      if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
        throw new MailError(
          `the e-mail service rejected the message (${e.statusCode}): ${detail}`,
          'rejected',
        );
      }
      throw new MailError(`sending failed: ${detail}`, 'failed');
    }
    if (result.status !== 'Succeeded') {
      throw new MailError(
        `the e-mail operation ended ${result.status}: ${result.error?.message ?? 'no detail'}`,
        'failed',
      );
    }
  }
}
