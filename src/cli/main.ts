#!/usr/bin/env node
// The `readiness` command line: scan an export or a live scope, list the rule catalog, preview digests.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { evaluateTenant } from '../app/evaluate-tenant.js';
import { parseExemption } from '../app/exemptions.js';
import type { ScopeFilter } from '../app/ports.js';
import { exemptionFor, type Exemption } from '../core/exemptions.js';
import { MissingProperties, notEvaluatedNotice } from '../core/notices.js';
import { toResourceRow } from '../core/resource.js';
import { buildReport, type ScanReport } from '../app/report.js';
import { planDigests } from '../app/preview-digests.js';
import { InputError, parseExport, scanExport } from '../app/scan-export.js';
import type { Scope } from '../app/ports.js';
import type { Finding } from '../core/finding.js';
import { addressesIn } from '../core/owners.js';
import { atLeast, SEVERITIES, type Severity } from '../core/severity.js';
import { metaOf } from '../rules/define-rule.js';
import { buildCatalog } from '../rules/index.js';
import {
  applyFeed,
  BUILT_IN_RETIREMENTS,
  parseRetirementFeed,
} from '../rules/retirement/catalog.js';
import { createCredential } from '../adapters/credential.js';
import { ResourceGraphSource } from '../adapters/resource-graph/source.js';
import { ArmSubscriptionLister } from '../adapters/arm/subscription-lister.js';
import { SETTINGS } from '../config.js';
import { renderDigestEmail } from '../views/digest-email.js';
import { toEml } from '../views/eml.js';
import { FORMATS, render, type Format } from './formats.js';
import { registerExportCommand } from './export-command.js';
import { TagIndex, withOwners } from '../app/report-owners.js';
import { registerPlanCommand } from './plan-command.js';
import {
  DEFAULT_FETCH_TIMEOUT_SECONDS,
  DEFAULT_MAX_INPUT_MB,
  fetchBounded,
  readBoundedFile,
  type InputLimits,
} from './inputs.js';
import { endpointTrust, isLoopbackHost, UntrustedEndpointError } from '../core/arm-endpoint.js';
import { jsonPosition, yamlPosition } from '../core/parse-position.js';
import { inAllowedDomains, isDomainName } from '../core/email-address.js';
import { redact } from '../core/redact.js';
import { formatProgress, progressOf } from '../core/progress.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class UsageError extends Error {}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
  /** Standard error is a terminal: a live scan shows its progress there (default: not). */
  stderrIsTty?: boolean;
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--now: "${value}" is not a date (YYYY-MM-DD)`);
  }
  return new Date(`${value}T00:00:00Z`);
}

interface LimitOptions {
  maxInputMb?: string;
  fetchTimeout?: string;
  ca?: string;
}

/** The bounds of every input of a command: --max-input-mb, --fetch-timeout, and --ca for https URLs. */
function limitsOf(options: LimitOptions): InputLimits {
  const number = (value: string | undefined, fallback: number, option: string) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`${option}: "${value}" is not a positive number`);
    return n;
  };
  const maxMb = number(options.maxInputMb, DEFAULT_MAX_INPUT_MB, '--max-input-mb');
  const timeout = number(options.fetchTimeout, DEFAULT_FETCH_TIMEOUT_SECONDS, '--fetch-timeout');
  const limits = {
    maxBytes: Math.floor(maxMb * 1024 * 1024),
    timeoutMs: Math.round(timeout * 1000),
  };
  // The CA is a small PEM: a megabyte is plenty.
  const ca = options.ca ? readBoundedFile(options.ca, '--ca', 1024 * 1024) : undefined;
  return ca ? { ...limits, ca } : limits;
}

function readText(file: string, what: string, limits: InputLimits): string {
  return readBoundedFile(file, what, limits.maxBytes);
}

async function loadRules(feed: string | undefined, limits: InputLimits) {
  if (!feed) return buildCatalog();
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(feed);
  const shown = redact(feed);
  const text = isUrl
    ? await fetchBounded(feed, '--retirement-feed', limits)
    : readText(feed, '--retirement-feed', limits);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--retirement-feed ${shown}: ${jsonPosition(text, error)}`);
  }
  try {
    return buildCatalog(applyFeed(BUILT_IN_RETIREMENTS, parseRetirementFeed(json)));
  } catch (error) {
    throw new InputError(
      `--retirement-feed ${shown}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function scopeOf(options: {
  subscription?: string[];
  managementGroup?: string[];
  tenant?: boolean;
}): Scope | undefined {
  const given = [
    options.subscription?.length,
    options.managementGroup?.length,
    options.tenant,
  ].filter(Boolean).length;
  if (given === 0) return undefined;
  if (given > 1)
    throw new UsageError('choose one scope: --subscription, --management-group or --tenant');
  if (options.tenant) return { kind: 'tenant' };
  if (options.managementGroup?.length)
    return { kind: 'managementGroups', ids: options.managementGroup };
  const ids = options.subscription ?? [];
  const bad = ids.filter((id) => !GUID.test(id));
  if (bad.length)
    throw new UsageError(`--subscription: not subscription ids (GUIDs): ${bad.join(', ')}`);
  return { kind: 'subscriptions', ids: ids.map((id) => id.toLowerCase()) };
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** Text from the tenant printed to a terminal: control characters removed. */
function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** A recipient as a file name: lower-case, only `a-z0-9@._+-`, no leading dot; unique within `taken`. */
function emlFileName(recipient: string, taken: Set<string>): string {
  const base =
    recipient
      .toLowerCase()
      .replace(/[^a-z0-9@._+-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 200) || 'recipient';
  let name = `${base}.eml`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.eml`;
  taken.add(name);
  return name;
}

function httpUrl(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${option}: "${value}" is not an http(s) URL`);
  return value;
}

function filterOf(options: {
  excludeSubscription?: string[];
  excludeResourceGroup?: string[];
  excludeType?: string[];
  excludeTag?: string[];
}): ScopeFilter {
  const bad = (options.excludeSubscription ?? []).filter((id) => !GUID.test(id));
  if (bad.length)
    throw new UsageError(`--exclude-subscription: not subscription ids (GUIDs): ${bad.join(', ')}`);
  const tags = (options.excludeTag ?? []).map((t) => ({ raw: t, i: t.indexOf('=') }));
  const badTag = tags.find((t) => t.i < 1 || t.i === t.raw.length - 1);
  if (badTag) throw new UsageError(`--exclude-tag: "${badTag.raw}" is not key=value`);
  return {
    excludeSubscriptions: (options.excludeSubscription ?? []).map((id) => id.toLowerCase()),
    excludeResourceGroups: options.excludeResourceGroup ?? [],
    excludeTypes: (options.excludeType ?? []).map((t) => t.toLowerCase()),
    excludeTags: tags.map((t) => ({
      key: t.raw.slice(0, t.i).trim(),
      value: t.raw.slice(t.i + 1).trim(),
    })),
  };
}

/** The same exclusions, on an export's rows (offline there is no query to put them in). */
function excludedRow(raw: unknown, filter: ScopeFilter): boolean {
  const parsed = toResourceRow(raw);
  if (!parsed.ok) return false;
  const row = parsed.row;
  const lower = (values: readonly string[] | undefined) =>
    new Set((values ?? []).map((v) => v.toLowerCase()));
  if (lower(filter.excludeSubscriptions).has(row.subscriptionId.toLowerCase())) return true;
  if (lower(filter.excludeResourceGroups).has(row.resourceGroup.toLowerCase())) return true;
  if (lower(filter.excludeTypes).has(row.type)) return true;
  return (filter.excludeTags ?? []).some(({ key, value }) =>
    Object.entries(row.tags ?? {}).some(
      ([k, v]) => k.toLowerCase() === key.toLowerCase() && v.toLowerCase() === value.toLowerCase(),
    ),
  );
}

/** Which credential --endpoint may receive (see src/core/arm-endpoint.ts); refused endpoints are a usage error. */
function trustOf(endpoint: string | undefined, trusted: boolean) {
  const url = endpoint ?? SETTINGS.RESOURCE_GRAPH_ENDPOINT;
  let loopback: boolean;
  try {
    loopback = isLoopbackHost(new URL(url).hostname);
  } catch {
    throw new UsageError(`--endpoint: "${redact(url)}" is not a URL`);
  }
  try {
    return endpointTrust(url, loopback ? 'emulator' : 'default', {
      trusted,
      name: '--endpoint',
      trustOption: '--trust-endpoint',
    });
  } catch (error) {
    if (error instanceof UntrustedEndpointError) throw new UsageError(error.message);
    throw error;
  }
}

function loadExemptions(
  file: string,
  ruleIds: readonly string[],
  now: Date,
  limits: InputLimits,
): Exemption[] {
  const text = readText(file, '--exemptions', limits);
  const isJson = /\.json$/i.test(file);
  let data: unknown;
  try {
    data = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // By position only: the file may hold a key, or be a symlink to a system file.
    throw new InputError(
      `--exemptions ${file}: ${isJson ? jsonPosition(text, error) : yamlPosition(error)}`,
    );
  }
  const list = Array.isArray(data) ? data : (data as { exemptions?: unknown })?.exemptions;
  if (!Array.isArray(list))
    throw new InputError(
      `--exemptions ${file}: expected a list of exemptions (or an "exemptions" list)`,
    );
  return list.map((raw, i) => {
    try {
      return parseExemption(raw, { ruleIds, now, maxDays: 3650, allowExpired: true }, undefined);
    } catch (error) {
      throw new InputError(
        `--exemptions ${file}: exemption ${i}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
}

function applyExemptions(
  report: ScanReport,
  exemptions: readonly Exemption[],
  now: Date,
): ScanReport {
  let exempted = 0;
  const findings = report.findings.map((f) => {
    const e = exemptionFor(exemptions, f, now);
    if (!e) return f;
    exempted++;
    return { ...f, exemptionId: e.id, exemptedUntil: e.expiresOn };
  });
  const active = findings.filter((f) => !('exemptionId' in f));
  const summary = buildReport(active, report.resources, new Date(report.scannedAt)).summary;
  return { ...report, findings, summary: { ...summary, exempted } };
}

/** The version in the project's package.json (found upward from this file, in `src/` or `dist/src/`). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'azure-readiness-scanner' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

const FORMAT_OF_EXTENSION: Record<string, Format> = {
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
  '.csv': 'csv',
  '.sarif': 'sarif',
  '.txt': 'table',
};

/** Where `--output` goes and in which format: the extension's, unless --format says (a contradiction is an error). */
function outputFile(
  file: string,
  format: Format | undefined,
): { file: string; format: Format | undefined } {
  const folder = dirname(file);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`--output ${file}: the folder ${folder} does not exist`);
  const extension = extname(file).toLowerCase();
  const implied = FORMAT_OF_EXTENSION[extension];
  if (format && implied && format !== implied)
    throw new UsageError(
      `--format ${format} contradicts --output ${file} (a ${extension} file is ${implied}): drop one of them`,
    );
  return { file, format: format ?? implied };
}

/** Addresses from repeatable, comma-separated options; a value without one is an error. */
function recipientsOf(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    const found = addressesIn(value);
    if (found.length === 0)
      throw new UsageError(`--default-recipient: "${value}" is not an e-mail address`);
    out.push(...found);
  }
  return out;
}

/** The live scope, its endpoint and its exclusions: the options `scan` and `export` share. */
function withScopeOptions(command: Command): Command {
  return command
    .option('--subscription <id>', 'these subscriptions (repeatable, or comma-separated)', collect)
    .option('--management-group <id>', 'these management groups (repeatable)', collect)
    .option('--tenant', 'every subscription the identity can read')
    .option(
      '--endpoint <url>',
      'Resource Graph endpoint: a known cloud (management.azure.com, management.usgovcloudapi.net, management.chinacloudapi.cn) or this machine (the emulator)',
    )
    .option(
      '--trust-endpoint',
      'send your Azure token to an --endpoint that is neither a known cloud nor this machine',
    )
    .option(
      '--ca <file>',
      'PEM of a CA to trust for --endpoint and --retirement-feed URLs (a local emulator)',
    )
    .option('--exclude-subscription <id>', 'leave these subscriptions out (repeatable)', collect)
    .option(
      '--exclude-resource-group <name>',
      'leave these resource groups out (repeatable)',
      collect,
    )
    .option('--exclude-type <type>', 'leave these resource types out (repeatable)', collect)
    .option('--exclude-tag <key=value>', 'leave resources with this tag out (repeatable)', collect);
}

/** Every input's bounds, on every command that reads one. */
function withLimitOptions(command: Command): Command {
  return command
    .option(
      '--max-input-mb <mb>',
      `the largest input file or feed read, in MB (default ${DEFAULT_MAX_INPUT_MB})`,
    )
    .option(
      '--fetch-timeout <seconds>',
      `how long a --retirement-feed URL has to answer completely (default ${DEFAULT_FETCH_TIMEOUT_SECONDS})`,
    );
}

export async function main(argv: readonly string[], rawIo: Io): Promise<number> {
  // No message the CLI prints carries a credential (a SAS signature, user:password@, an account key).
  const io: Io = { ...rawIo, stderr: (text) => rawIo.stderr(redact(text)) };
  let exitCode = 0;
  const program = new Command('readiness')
    .description('Classic-to-ARM migration and retirement readiness for Azure tenants')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  withScopeOptions(withLimitOptions(program.command('scan')))
    .description('scan a Resource Graph export (--input) or a live scope through Resource Graph')
    .option(
      '--input <file>',
      'a Resource Graph export: a JSON array of rows, or an object with a "data" array',
    )
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .option('--now <date>', 'the clock for deadline urgency (YYYY-MM-DD)')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a finding at or above this severity exists',
      ).choices(SEVERITIES),
    )
    .option(
      '--retirement-feed <fileOrUrl>',
      'retirement dates from a feed in the official Azure retirement feed format',
    )
    .option(
      '--exemptions <file>',
      'accepted findings, until a date: a YAML or JSON list of exemptions',
    )
    .option(
      '--owner-tags <names>',
      'tag names that name an owner (resource, resource group, subscription), comma-separated',
      SETTINGS.OWNER_TAGS,
    )
    .option(
      '--default-recipient <email>',
      'who owns the findings no owner tag names (repeatable, or comma-separated)',
      collect,
    )
    .action(
      async (options: {
        ownerTags: string;
        defaultRecipient?: string[];
        excludeSubscription?: string[];
        excludeResourceGroup?: string[];
        excludeType?: string[];
        excludeTag?: string[];
        exemptions?: string;
        input?: string;
        subscription?: string[];
        managementGroup?: string[];
        tenant?: boolean;
        endpoint?: string;
        trustEndpoint?: boolean;
        ca?: string;
        maxInputMb?: string;
        fetchTimeout?: string;
        format?: Format;
        output?: string;
        now?: string;
        failOn?: Severity;
        retirementFeed?: string;
      }) => {
        const now = parseNow(options.now);
        const limits = limitsOf(options);
        const rules = await loadRules(options.retirementFeed, limits);
        const scope = scopeOf(options);
        const filter = filterOf(options);
        const exemptions = options.exemptions
          ? loadExemptions(
              options.exemptions,
              rules.map((r) => r.id),
              now,
              limits,
            )
          : [];
        if (options.input && scope)
          throw new UsageError('--input scans a file offline; do not combine it with a live scope');
        const ownerTags = options.ownerTags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        const defaultRecipients = recipientsOf(options.defaultRecipient);
        const tags = new TagIndex();
        const output = options.output ? outputFile(options.output, options.format) : undefined;
        let report;
        if (options.input) {
          const rows = parseExport(readText(options.input, '--input', limits), options.input);
          // Resources a tag exclusion leaves out: the retirement sources' findings on them go too, as live.
          const left = new Set<string>();
          for (const row of rows) {
            const parsed = excludedRow(row, filter) ? toResourceRow(row) : undefined;
            if (parsed?.ok) left.add(parsed.row.id.toLowerCase());
          }
          const result = scanExport(
            rows.filter((row) => !excludedRow(row, filter)),
            { rules, now, exclude: { filter, resources: left } },
          );
          if (result.skipped.length > 0) {
            const first = result.skipped
              .slice(0, 5)
              .map((s) => `row ${s.index}: ${s.reason}`)
              .join('; ');
            io.stderr(
              `${options.input}: skipped ${result.skipped.length} malformed row(s): ${first}${result.skipped.length > 5 ? '; ...' : ''}\n`,
            );
          }
          for (const e of result.ruleErrors.slice(0, 5))
            io.stderr(`rule ${e.ruleId} failed on ${e.resourceId}: ${e.message}\n`);
          tags.add(result.rows);
          report = result.report;
        } else if (scope) {
          const trust = trustOf(options.endpoint, options.trustEndpoint === true);
          const source = new ResourceGraphSource({
            credential: createCredential(trust.kind === 'loopback' ? 'emulator' : 'default'),
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            ...(trust.kind === 'loopback' ? {} : { scope: trust.scope }),
            ...(limits.ca ? { ca: limits.ca } : {}),
          });
          const lister = new ArmSubscriptionLister({
            credential: createCredential(trust.kind === 'loopback' ? 'emulator' : 'default'),
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            ...(trust.kind === 'loopback' ? {} : { scope: trust.scope }),
            ...(limits.ca ? { ca: limits.ca } : {}),
          });
          const all: Finding[] = [];
          const missing = new MissingProperties(rules);
          // Progress on a terminal: one line on standard error, rewritten in place; nothing otherwise.
          const progress = { done: 0, total: 0, batches: 0 };
          const startedAt = new Date().toISOString();
          const tick = () => {
            const { pages, rows, waitedMs } = source.stats();
            const line = formatProgress(
              progressOf(
                {
                  subscriptionsDone: progress.done,
                  subscriptionsTotal: progress.total,
                  batchesDone: 0,
                  batchesTotal: progress.batches,
                  pages,
                  rows,
                  waitedMs,
                },
                startedAt,
                new Date(),
              ),
            );
            io.stderr(`\r${line}\x1b[K`);
          };
          const ticker = io.stderrIsTty ? setInterval(tick, 250) : undefined;
          let result: Awaited<ReturnType<typeof evaluateTenant>>;
          try {
            result = await evaluateTenant(
              {
                source,
                lister,
                rules,
                now,
                log: () => undefined,
                filter,
                keepTag: (name) => ownerTags.some((t) => t.toLowerCase() === name.toLowerCase()),
                onListed: (subscriptions, batches) => {
                  progress.total = subscriptions;
                  progress.batches = batches;
                },
              },
              scope,
              async (_id, found, rows, containers, _excluded, retirements) => {
                all.push(...found);
                missing.add(rows);
                tags.add(rows);
                tags.addContainers(containers);
                // Retirement findings' resources are often no rule's target: their own tags came with the sources.
                for (const f of found) {
                  const own = retirements?.tagsOf?.(f.resourceId);
                  if (own) tags.addContainers(new Map([[f.resourceId.toLowerCase(), own]]));
                }
                progress.done++;
              },
            );
          } finally {
            if (ticker) {
              clearInterval(ticker);
              tick();
              io.stderr('\n');
            }
          }
          const incomplete = [...result.states].filter(([, s]) => s.outcome !== 'complete');
          for (const [id, s] of incomplete.slice(0, 10))
            io.stderr(`subscription ${id} not scanned completely: ${s.reason ?? s.outcome}\n`);
          if (result.fatal) throw new InputError(result.fatal);
          tags.addNames([...result.states].map(([id, state]) => [id, state.displayName]));
          report = buildReport(all, result.resources, now, [
            missing.notice('resource-graph'),
            notEvaluatedNotice(result.notEvaluated ?? []),
          ]);
          // How each retirement source read, when it did not read completely or something stood in.
          for (const s of result.retirementSources ?? [])
            if (s.outcome !== 'complete' || s.note)
              io.stderr(
                `retirement source ${s.source}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}${s.note ? `; ${s.note}` : ''}\n`,
              );
        } else {
          throw new UsageError(
            'scan needs --input FILE, or a scope: --subscription ID, --management-group ID or --tenant',
          );
        }
        // Said once, on standard error, as well as in the report (JSON `notices`, SARIF notifications).
        for (const notice of report.notices ?? [])
          io.stderr(`${options.input ?? 'Resource Graph'}: ${notice.message}\n`);
        // Who owns each finding and why, as the digests would say.
        report = {
          ...report,
          findings: withOwners(report.findings, tags, { ownerTags, defaultRecipients }),
        };
        if (exemptions.length > 0) report = applyExemptions(report, exemptions, now);
        // Exempted findings are reported, counted apart, and never trip --fail-on.
        const findings: readonly Finding[] = report.findings.filter((f) => !('exemptionId' in f));
        const format = output?.format ?? options.format ?? (io.isTty ? 'table' : 'json');
        const text = render(report, format, { rules });
        if (output) {
          writeFileSync(output.file, text);
          io.stderr(
            `wrote the ${format} report (${report.findings.length} ${report.findings.length === 1 ? 'finding' : 'findings'}) to ${output.file}\n`,
          );
        } else io.stdout(text);
        if (options.failOn && findings.some((f) => atLeast(f.severity, options.failOn as Severity)))
          exitCode = 1;
      },
    );

  registerExportCommand(program, {
    ...io,
    withLimitOptions,
    loadRules: (feed, options) => loadRules(feed, limitsOf(options)),
    scopeOf: (options) => scopeOf(options),
    filterOf: (options) => filterOf(options),
    sourceOf: (options) => {
      const endpoint = options.endpoint as string | undefined;
      const trust = trustOf(endpoint, options.trustEndpoint === true);
      const limits = limitsOf(options);
      return new ResourceGraphSource({
        credential: createCredential(trust.kind === 'loopback' ? 'emulator' : 'default'),
        ...(endpoint ? { endpoint } : {}),
        ...(trust.kind === 'loopback' ? {} : { scope: trust.scope }),
        ...(limits.ca ? { ca: limits.ca } : {}),
      });
    },
    listerOf: (options) => {
      const endpoint = options.endpoint as string | undefined;
      const trust = trustOf(endpoint, options.trustEndpoint === true);
      const limits = limitsOf(options);
      return new ArmSubscriptionLister({
        credential: createCredential(trust.kind === 'loopback' ? 'emulator' : 'default'),
        ...(endpoint ? { endpoint } : {}),
        ...(trust.kind === 'loopback' ? {} : { scope: trust.scope }),
        ...(limits.ca ? { ca: limits.ca } : {}),
      });
    },
    withScopeOptions,
  });

  registerPlanCommand(program, {
    ...io,
    readRows: (file, options) => parseExport(readText(file, '--input', limitsOf(options)), file),
    parseNow,
    loadRules: (feed, options) => loadRules(feed, limitsOf(options)),
    write: (file, text) => writeFileSync(file, text),
    withLimitOptions,
  });

  withLimitOptions(program.command('rules'))
    .description('print the rule catalog')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--retirement-feed <fileOrUrl>', 'retirement dates from a feed in the official format')
    .option('--ca <file>', 'PEM of a CA to trust for a --retirement-feed URL')
    .action(
      async (options: { format: 'table' | 'json'; retirementFeed?: string } & LimitOptions) => {
        const rules = (await loadRules(options.retirementFeed, limitsOf(options))).map(metaOf);
        if (options.format === 'json') {
          io.stdout(`${JSON.stringify(rules, null, 2)}\n`);
          return;
        }
        for (const r of rules) {
          io.stdout(
            `${r.severity.padEnd(8)} ${r.id.padEnd(48)} ${r.deadline ? `${r.deadline} ` : ''}${r.title}\n`,
          );
        }
      },
    );

  withLimitOptions(program.command('digest'))
    .description(
      'preview the digests a first scan of an export would send: one .eml per recipient, nothing sent',
    )
    .requiredOption(
      '--input <file>',
      'a Resource Graph export: a JSON array of rows, or an object with a "data" array',
    )
    .requiredOption('--outbox <dir>', 'folder to write the .eml files to (created)')
    .option('--now <date>', 'the clock for deadline urgency (YYYY-MM-DD)')
    .option(
      '--default-recipient <email>',
      'who gets findings no owner tag names (repeatable, or comma-separated)',
      collect,
    )
    .option(
      '--owner-tags <names>',
      'tag names that name an owner, comma-separated, matched case-insensitively',
      SETTINGS.OWNER_TAGS,
    )
    .option(
      '--allowed-domain <domain>',
      "only owners in these domains, like the app's EMAIL_ALLOWED_DOMAINS (repeatable, or comma-separated)",
      collect,
    )
    .option('--dashboard-url <url>', 'the dashboard, linked from every digest')
    .option('--from <address>', 'the sender address', 'readiness-preview@localhost')
    .option(
      '--retirement-feed <fileOrUrl>',
      'retirement dates from a feed in the official Azure retirement feed format',
    )
    .option('--ca <file>', 'PEM of a CA to trust for a --retirement-feed URL')
    .action(
      async (
        options: LimitOptions & {
          input: string;
          outbox: string;
          now?: string;
          defaultRecipient?: string[];
          allowedDomain?: string[];
          ownerTags: string;
          dashboardUrl?: string;
          from: string;
          retirementFeed?: string;
        },
      ) => {
        const now = parseNow(options.now);
        const dashboardUrl = httpUrl(options.dashboardUrl, '--dashboard-url');
        const defaultRecipients: string[] = [];
        for (const value of options.defaultRecipient ?? []) {
          const found = addressesIn(value);
          if (found.length === 0)
            throw new UsageError(`--default-recipient: "${value}" is not an e-mail address`);
          defaultRecipients.push(...found);
        }
        const ownerTags = options.ownerTags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        if (ownerTags.length === 0)
          throw new UsageError('--owner-tags: needs at least one tag name');
        const limits = limitsOf(options);
        const rules = await loadRules(options.retirementFeed, limits);
        const rows = parseExport(readText(options.input, '--input', limits), options.input);
        const allowedDomains = options.allowedDomain?.map((d) => d.toLowerCase());
        const badDomain = allowedDomains?.find((d) => !isDomainName(d));
        if (badDomain !== undefined)
          throw new UsageError(`--allowed-domain: "${badDomain}" is not a domain name`);
        const outside = defaultRecipients.filter(
          (a) => allowedDomains && !inAllowedDomains(a, allowedDomains),
        );
        if (outside.length > 0)
          throw new UsageError(
            `--default-recipient: outside --allowed-domain: ${outside.join(', ')}`,
          );
        const plan = planDigests(rows, {
          rules,
          now,
          ownerTags,
          defaultRecipients,
          allowedDomains,
        });
        if (plan.scan.skipped.length > 0) {
          const first = plan.scan.skipped
            .slice(0, 5)
            .map((s) => `row ${s.index}: ${s.reason}`)
            .join('; ');
          io.stderr(
            `${options.input}: skipped ${plan.scan.skipped.length} malformed row(s): ${printable(first)}${plan.scan.skipped.length > 5 ? '; ...' : ''}\n`,
          );
        }
        try {
          mkdirSync(options.outbox, { recursive: true });
        } catch (error) {
          throw new InputError(
            `--outbox ${options.outbox}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        const docs = new Map(rules.map((r) => [r.id, r.doc]));
        const origin = dashboardUrl ? new URL(dashboardUrl).origin : undefined;
        const ruleDocUrl = (id: string): string =>
          origin
            ? `${origin}/api/rules/${id}?format=html`
            : (docs.get(id) ?? `docs/rules/${id}.md`);
        const taken = new Set<string>();
        for (const digest of plan.digests) {
          const email = renderDigestEmail(digest, { rules, dashboardUrl, ruleDocUrl, now });
          const hash = createHash('sha256')
            .update(`${digest.recipient}\n${now.toISOString()}`)
            .digest('hex')
            .slice(0, 20);
          const eml = toEml({
            from: options.from,
            to: [digest.recipient],
            subject: email.subject,
            html: email.html,
            text: email.text,
            date: now,
            messageId: `digest.${now.toISOString().slice(0, 10)}.${hash}@readiness-preview.local`,
            headers: { 'Auto-Submitted': 'auto-generated', 'X-Readiness-Preview': 'true' },
          });
          const path = join(options.outbox, emlFileName(digest.recipient, taken));
          try {
            writeFileSync(path, eml);
          } catch (error) {
            throw new InputError(
              `--outbox ${path}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
          io.stdout(`${printable(digest.recipient)}\t${email.subject}\t${path}\n`);
        }
        if (plan.refused.length > 0)
          io.stderr(
            `${plan.refused.length} address(es) named by tags would not be mailed (outside --allowed-domain, or more than 5 in one tag): ${printable(plan.refused.slice(0, 10).join(', '))}${plan.refused.length > 10 ? ', ...' : ''}\n`,
          );
        const unmailed = plan.unowned.filter((f) => f.severity !== 'info').length;
        io.stderr(
          `${plan.digests.length} digest(s) written to ${options.outbox}, nothing sent.` +
            (unmailed > 0
              ? ` ${unmailed} blocker(s) and warning(s) have no owner tag and were not mailed: add --default-recipient.`
              : '') +
            '\n',
        );
      },
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr(`readiness: ${error.message}\n`);
      return 2;
    }
    io.stderr(`readiness: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (invokedDirectly || process.env.READINESS_CLI === '1') {
  // `readiness rules | head`: a closed pipe ends the command quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
  }).then((code) => {
    process.exitCode = code;
  });
}
