// `readiness plan`: the migration units of an export, in order, with their blockers and steps.
import type { Command } from 'commander';
import { Option } from 'commander';
import { scanExport } from '../app/scan-export.js';
import { planMigration } from '../core/migration-plan.js';
import { buildScanIndex } from '../core/scan-index.js';
import type { Rule } from '../rules/define-rule.js';
import { renderPlanMarkdown, renderPlanText } from '../views/plan-text.js';

export interface PlanCommandContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTty: boolean;
  /** The rows of an export file (the same bounded reader `scan --input` uses). */
  readonly readRows: (file: string, options: Record<string, unknown>) => unknown[];
  readonly parseNow: (value: string | undefined) => Date;
  readonly loadRules: (
    feed: string | undefined,
    options: Record<string, unknown>,
  ) => Promise<readonly Rule[]>;
  readonly write: (file: string, text: string) => void;
  /** Adds the input bounds every reading command has (--max-input-mb, --fetch-timeout). */
  readonly withLimitOptions: (command: Command) => Command;
}

export function registerPlanCommand(program: Command, ctx: PlanCommandContext): void {
  ctx
    .withLimitOptions(program.command('plan'))
    .description(
      'the migration units of an export (VMs outside a network, networks, storage accounts, unattached resources), in an order that works, with their blockers and the steps',
    )
    .requiredOption('--input <file>', 'a Resource Graph export (what `readiness export` writes)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']),
    )
    .option('--output <file>', 'write the plan to a file instead of standard output')
    .option('--now <date>', 'the clock for deadline urgency (YYYY-MM-DD)')
    .option('--retirement-feed <fileOrUrl>', 'retirement dates from a feed in the official format')
    .action(
      async (options: {
        input: string;
        format?: 'text' | 'markdown' | 'json';
        output?: string;
        now?: string;
        retirementFeed?: string;
      }) => {
        const now = ctx.parseNow(options.now);
        const rules = await ctx.loadRules(options.retirementFeed, options);
        const result = scanExport(ctx.readRows(options.input, options), { rules, now });
        const plan = planMigration(buildScanIndex(result.rows), result.report.findings);
        const byId = new Map(rules.map((r) => [r.id, r.recommendation]));
        const whatToDo = (id: string) => byId.get(id);
        const format =
          options.format ??
          (options.output?.endsWith('.md')
            ? 'markdown'
            : options.output?.endsWith('.json') || (!ctx.isTty && !options.output)
              ? 'json'
              : 'text');
        const text =
          format === 'json'
            ? `${JSON.stringify(plan, null, 2)}\n`
            : format === 'markdown'
              ? renderPlanMarkdown(plan, whatToDo)
              : renderPlanText(plan, whatToDo);
        if (options.output) {
          ctx.write(options.output, text);
          ctx.stderr(`wrote the plan (${plan.units.length} units) to ${options.output}\n`);
        } else ctx.stdout(text);
      },
    );
}
