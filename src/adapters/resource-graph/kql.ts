// Builds the only KQL the scanner sends: select rows by type, project columns, sort by id for stable paging.
import type { GraphQuery } from '../../app/ports.js';

/** A KQL string literal (single-quoted, backslash escapes). */
export function kqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function buildKql(query: GraphQuery): string {
  if (query.kql !== undefined) return query.kql;
  if (query.types.length === 0) throw new Error(`a ${query.table} query needs at least one type`);
  const types = [...new Set(query.types.map((t) => t.toLowerCase()))].sort();
  const where =
    types.length === 1
      ? `type =~ ${kqlString(types[0] as string)}`
      : `type in~ (${types.map(kqlString).join(', ')})`;
  const columns = query.columns.join(', ');
  const list = (values: readonly string[]) => `(${values.map(kqlString).join(', ')})`;
  const exclude = query.exclude ?? {};
  const filters: string[] = [];
  if (query.names?.length)
    filters.push(`name in~ ${list(query.names.map((n) => n.toLowerCase()))}`);
  if (exclude.excludeSubscriptions?.length)
    filters.push(`subscriptionId !in~ ${list(exclude.excludeSubscriptions)}`);
  if (exclude.excludeResourceGroups?.length)
    filters.push(`resourceGroup !in~ ${list(exclude.excludeResourceGroups)}`);
  if (exclude.excludeTypes?.length)
    filters.push(`type !in~ ${list(exclude.excludeTypes.map((t) => t.toLowerCase()))}`);
  for (const tag of exclude.excludeTags ?? [])
    filters.push(`tags[${kqlString(tag.key)}] !~ ${kqlString(tag.value)}`);
  if (query.onlyTagged)
    filters.push(
      `tags[${kqlString(query.onlyTagged.key)}] =~ ${kqlString(query.onlyTagged.value)}`,
    );
  for (const w of query.where ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(w.path))
      throw new Error(`not a column path: "${w.path}"`);
    filters.push(`${w.path} =~ ${kqlString(w.equals)}`);
  }
  const excluded = filters.map((f) => ` | where ${f}`).join('');
  return `${query.table} | where ${where}${excluded} | project ${columns} | order by id asc`;
}
