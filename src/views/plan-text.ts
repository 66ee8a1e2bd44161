// The migration plan as a person reads it on a terminal or in a Markdown page.
import type { MigrationPlan, MigrationUnit } from '../core/migration-plan.js';
import { PLAN_SOURCES, SCOPE_TITLES } from '../core/migration-plan.js';
import { count } from '../rules/views/listing.js';
import { unitContents } from '../core/plan-summary.js';

function contents(unit: MigrationUnit): string {
  return unitContents(unit.resources);
}

/** Printable on a terminal: control characters of names shown as `?`. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function renderPlanText(
  plan: MigrationPlan,
  whatToDo: (ruleId: string) => string | undefined,
): string {
  const ready = plan.units.filter((u) => u.ready).length;
  const lines: string[] = [
    `Migration plan: ${count(plan.units.length, 'unit')} (${ready} ready, ${plan.units.length - ready} blocked or waiting)`,
    '',
  ];
  for (const u of plan.units) {
    const state = u.ready ? 'READY  ' : u.blockers.length ? 'BLOCKED' : 'WAITS  ';
    lines.push(
      `${String(u.order).padStart(3)}. ${state} ${clean(u.name)} — ${SCOPE_TITLES[u.scope]}: ${contents(u)}`,
      `       subscription ${u.subscriptionId}, resource group ${clean(u.resourceGroup)}`,
    );
    if (u.after.length)
      lines.push(
        `       after: ${u.after.map((id) => clean(id.split('/').pop() ?? id)).join(', ')}`,
      );
    for (const b of u.blockers) {
      lines.push(`       blocker ${b.ruleId} on ${clean(b.resourceName)}: ${clean(b.message)}`);
      const todo = whatToDo(b.ruleId);
      if (todo) lines.push(`         what to do: ${todo}`);
    }
    for (const c of u.changes) lines.push(`       changes: ${clean(c)}`);
    const [validate, prepare, commit, abort] = u.steps;
    lines.push(
      `       steps: validate, prepare, then commit (or abort after prepare):`,
      ...[validate, prepare, commit, abort].map((s) => `         ${s?.powershell ?? ''}`),
      '',
    );
  }
  if (plan.undecided.length) {
    lines.push(`Not placed (${plan.undecided.length}):`);
    for (const d of plan.undecided)
      lines.push(`  ${clean(d.resource.name)} (${d.resource.type}): ${d.reason}`);
    lines.push('');
  }
  lines.push(`Steps and scopes: ${PLAN_SOURCES.join(' ')}`, '');
  return lines.join('\n');
}

/** Markdown: a table of the units in order, then one section per unit. */
export function renderPlanMarkdown(
  plan: MigrationPlan,
  whatToDo: (ruleId: string) => string | undefined,
): string {
  const cell = (s: string) =>
    clean(s)
      .replace(/\|/g, '\\|')
      .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
  const lines = [
    '# Migration plan',
    '',
    '| # | unit | scope | moves | blockers | state |',
    '| - | ---- | ----- | ----- | -------- | ----- |',
    ...plan.units.map(
      (u) =>
        `| ${u.order} | ${cell(u.name)} | ${SCOPE_TITLES[u.scope]} | ${contents(u)} | ${u.blockers.length} | ${u.ready ? 'ready' : u.blockers.length ? 'blocked' : 'waits'} |`,
    ),
    '',
  ];
  for (const u of plan.units) {
    lines.push(`## ${u.order}. ${cell(u.name)}`, '');
    for (const b of u.blockers)
      lines.push(
        `- **${b.ruleId}** on ${cell(b.resourceName)}: ${cell(b.message)}${whatToDo(b.ruleId) ? ` — ${cell(whatToDo(b.ruleId) ?? '')}` : ''}`,
      );
    for (const c of u.changes) lines.push(`- ${cell(c)}`);
    lines.push('', '```powershell', ...u.steps.map((s) => s.powershell), '```', '');
  }
  return lines.join('\n');
}
