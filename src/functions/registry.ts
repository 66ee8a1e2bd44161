// The app's functions as data: the Functions host (index.ts) and the local host register the same list.
import type { Timer } from '@azure/functions';
import type { SettingName } from '../config.js';
import { getStatus, getSubscriptionStatus } from './get-status.js';
import { health } from './health.js';
import { getDashboardFindings, getFindings } from './get-findings.js';
import { getRule, getRules } from './get-rules.js';
import { startScan } from './start-scan.js';
import { getDashboard } from './get-dashboard.js';
import { getContacts, putContacts } from './contacts.js';
import { getExemptions, postExemption, removeExemption } from './exemptions.js';
import { sendDigestsTimer } from './send-digests.js';
import type { ContextLike, HttpRequestLike, HttpResponseInit } from './http.js';
import { scanReadiness } from './scan-readiness.js';
import { scanBatch, scanBatchPoison } from './scan-batch.js';
import { redact } from '../core/redact.js';

export interface TimerFunction {
  readonly kind: 'timer';
  readonly name: string;
  /** The app setting holding the NCRONTAB schedule (`%SETTING%` for the Functions host). */
  readonly scheduleSetting: SettingName;
  readonly handler: (timer: Timer, context: ContextLike) => Promise<void>;
}

export interface HttpFunction {
  readonly kind: 'http';
  readonly name: string;
  /** Route under /api, with `{param}` segments. */
  readonly route: string;
  readonly methods: readonly ('GET' | 'POST' | 'PUT' | 'DELETE')[];
  /** As registered when sign-in is off; people's routes become anonymous when it is on (functionsFor). */
  readonly authLevel: 'anonymous' | 'function';
  /**
   * `public`: no tenant data, anonymous (health, rule docs). `api`: scripts, always the function key. `people`: the
   * dashboard and its reads — the sign-in protects them when APP_SERVICE_AUTHENTICATION is true, else the key.
   */
  readonly access: 'public' | 'api' | 'people';
  readonly handler: (request: HttpRequestLike, context: ContextLike) => Promise<HttpResponseInit>;
}

/** A queue trigger on the queue an app setting names (or its poison queue, `<name>-poison`). */
export interface QueueFunction {
  readonly kind: 'queue';
  readonly name: string;
  readonly queueSetting: SettingName;
  readonly poison: boolean;
  /** The host's connection setting prefix: AzureWebJobsStorage (identity-based in Azure). */
  readonly connection: 'AzureWebJobsStorage';
  readonly handler: (message: unknown, context: ContextLike) => Promise<void>;
}

export type FunctionRegistration = TimerFunction | HttpFunction | QueueFunction;

export const FUNCTIONS: readonly FunctionRegistration[] = withRedactedLogs([
  {
    kind: 'timer',
    name: 'sendDigests',
    scheduleSetting: 'DIGEST_SCHEDULE',
    handler: sendDigestsTimer,
  },
  {
    kind: 'timer',
    name: 'scanReadiness',
    scheduleSetting: 'SCAN_SCHEDULE',
    handler: scanReadiness,
  },
  {
    kind: 'queue',
    name: 'scanBatch',
    queueSetting: 'SCAN_QUEUE_NAME',
    poison: false,
    connection: 'AzureWebJobsStorage',
    handler: scanBatch,
  },
  {
    kind: 'queue',
    name: 'scanBatchPoison',
    queueSetting: 'SCAN_QUEUE_NAME',
    poison: true,
    connection: 'AzureWebJobsStorage',
    handler: scanBatchPoison,
  },
  {
    kind: 'http',
    name: 'health',
    route: 'health',
    methods: ['GET'],
    authLevel: 'anonymous',
    access: 'public',
    handler: health,
  },
  {
    kind: 'http',
    name: 'getStatus',
    route: 'status',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getStatus,
  },
  {
    kind: 'http',
    name: 'getSubscriptionStatus',
    route: 'status/subscriptions/{subscriptionId}',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getSubscriptionStatus,
  },
  {
    kind: 'http',
    name: 'getFindings',
    route: 'findings',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getFindings,
  },
  {
    kind: 'http',
    name: 'getRules',
    route: 'rules',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getRules,
  },
  // Rule docs hold no tenant data, and e-mails link to them: anonymous.
  {
    kind: 'http',
    name: 'getRule',
    route: 'rules/{pack}/{name}',
    methods: ['GET'],
    authLevel: 'anonymous',
    access: 'public',
    handler: getRule,
  },
  {
    kind: 'http',
    name: 'startScan',
    route: 'scans',
    methods: ['POST'],
    authLevel: 'function',
    access: 'api',
    handler: startScan,
  },
  {
    kind: 'http',
    name: 'getDashboard',
    route: 'dashboard',
    methods: ['GET'],
    authLevel: 'function',
    access: 'people',
    handler: getDashboard,
  },
  // The dashboard's own read of findings: the viewer's findings, paged, as the findings API answers.
  {
    kind: 'http',
    name: 'getDashboardFindings',
    route: 'dashboard/findings',
    methods: ['GET'],
    authLevel: 'function',
    access: 'people',
    handler: getDashboardFindings,
  },
  {
    kind: 'http',
    name: 'postExemption',
    route: 'exemptions',
    methods: ['POST'],
    authLevel: 'function',
    access: 'api',
    handler: postExemption,
  },
  {
    kind: 'http',
    name: 'getExemptions',
    route: 'exemptions',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getExemptions,
  },
  {
    kind: 'http',
    name: 'deleteExemption',
    route: 'exemptions/{id}',
    methods: ['DELETE'],
    authLevel: 'function',
    access: 'api',
    handler: removeExemption,
  },
  {
    kind: 'http',
    name: 'getContacts',
    route: 'contacts',
    methods: ['GET'],
    authLevel: 'function',
    access: 'api',
    handler: getContacts,
  },
  {
    kind: 'http',
    name: 'putContacts',
    route: 'contacts/{subscriptionId}',
    methods: ['PUT'],
    authLevel: 'function',
    access: 'api',
    handler: putContacts,
  },
]);

/**
 * The functions as the host registers them: with sign-in on, the people's routes are anonymous at the host (App
 * Service Authentication in front requires the sign-in, and the handlers require its principal); with it off they keep
 * authLevel function, so nothing is reachable without a key unless sign-in is configured. authLevel is fixed at
 * registration, so this is decided once at start-up from the same setting loadConfig reads (signInConfigured).
 */
export function functionsFor(signIn: boolean): readonly FunctionRegistration[] {
  return FUNCTIONS.map((fn) =>
    fn.kind === 'http' && fn.access === 'people' && signIn
      ? { ...fn, authLevel: 'anonymous' as const }
      : fn,
  );
}

/** What a function prints through its context goes through the same credential redaction as the JSON logs. */
function redacting(context: ContextLike): ContextLike {
  const clean = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? redact(a) : a));
  return {
    invocationId: context.invocationId,
    log: (...args) => context.log(...clean(args)),
    error: (...args) => context.error(...clean(args)),
  };
}

function withRedactedLogs(list: FunctionRegistration[]): FunctionRegistration[] {
  return list.map((fn): FunctionRegistration => {
    if (fn.kind === 'timer') {
      const timer: TimerFunction = {
        ...fn,
        handler: (t, context) => fn.handler(t, redacting(context)),
      };
      return timer;
    }
    if (fn.kind === 'queue') {
      const queue: QueueFunction = {
        ...fn,
        handler: (message, context) => fn.handler(message, redacting(context)),
      };
      return queue;
    }
    const http: HttpFunction = {
      ...fn,
      handler: (request, context) => fn.handler(request, redacting(context)),
    };
    return http;
  });
}
