// `readiness export`: the rows a live scan reads, through Resource Graph, into one file `scan --input` takes.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { exportTenant } from '../app/export-tenant.js';
import type { ResourceSource, Scope, ScopeFilter, SubscriptionLister } from '../app/ports.js';
import type { Rule } from '../rules/define-rule.js';

export interface ExportCommandContext {
  readonly stderr: (text: string) => void;
  readonly isTty: boolean;
  readonly loadRules: (
    feed: string | undefined,
    options: Record<string, unknown>,
  ) => Promise<readonly Rule[]>;
  /** Adds the input bounds every reading command has (--max-input-mb, --fetch-timeout). */
  readonly withLimitOptions: (command: Command) => Command;
  /** The scope and filter options, read as `scan` reads them. */
  readonly scopeOf: (options: Record<string, unknown>) => Scope | undefined;
  readonly filterOf: (options: Record<string, unknown>) => ScopeFilter;
  /** A Resource Graph source from `--endpoint`/`--ca` (and whatever else `scan` takes to choose one). */
  readonly sourceOf: (options: Record<string, unknown>) => ResourceSource;
  /** The ARM subscription lister for the same endpoint: a tenant or management group past 10,000 subscriptions. */
  readonly listerOf?: (options: Record<string, unknown>) => SubscriptionLister;
  /** Adds the scope, filter and endpoint options `scan` has. */
  readonly withScopeOptions: (command: Command) => Command;
}

export function registerExportCommand(program: Command, ctx: ExportCommandContext): void {
  const command = ctx
    .withLimitOptions(program.command('export'))
    .description(
      'export, through Resource Graph, every row a scan reads (the same queries) into one JSON file that scan, digest and plan take with --input',
    )
    .requiredOption('--output <file>', 'the JSON file to write (a JSON array of rows)')
    .option('--retirement-feed <fileOrUrl>', 'retirement dates from a feed in the official format');
  ctx.withScopeOptions(command).action(async (options: Record<string, unknown>) => {
    const scope = ctx.scopeOf(options);
    if (!scope)
      throw new Error('export needs a scope: --subscription ID, --management-group ID or --tenant');
    const rules = await ctx.loadRules(options.retirementFeed as string | undefined, options);
    const file = options.output as string;
    const out = createWriteStream(file, { encoding: 'utf8' });
    const opened = new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
    await opened.catch((error: unknown) => {
      throw new Error(
        `--output ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    let first = true;
    const write = (row: unknown) => {
      const text = `${first ? '[\n' : ',\n'}${JSON.stringify(row)}`;
      first = false;
      if (!out.write(text)) return new Promise<void>((r) => out.once('drain', () => r()));
      return undefined;
    };
    const started = Date.now();
    try {
      const result = await exportTenant(
        {
          source: ctx.sourceOf(options),
          lister: ctx.listerOf?.(options),
          rules,
          filter: ctx.filterOf(options),
          onProgress: ctx.isTty
            ? (p) =>
                ctx.stderr(
                  `\r  batch ${p.batch} of ${p.batches}: ${p.pages} pages, ${p.rows} rows, ${Math.round((Date.now() - started) / 1000)} s`,
                )
            : undefined,
        },
        scope,
        write,
      );
      out.end(first ? '[]\n' : '\n]\n');
      await new Promise<void>((resolve, reject) => {
        out.once('finish', () => resolve());
        out.once('error', reject);
      });
      if (ctx.isTty) ctx.stderr('\n');
      ctx.stderr(
        `wrote ${result.rows} rows of ${result.subscriptions} subscriptions (${result.pages} pages) to ${file}\n`,
      );
    } catch (error) {
      out.destroy();
      throw new Error(
        `export stopped, ${file} is incomplete: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  });
}
