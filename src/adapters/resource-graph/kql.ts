// Builds the only KQL the scanner sends: select rows by type, project columns, sort by id for stable paging.
import type { GraphQuery } from '../../app/ports.js';

/** A KQL string literal (single-quoted, backslash escapes). */
export function kqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function buildKql(query: GraphQuery): string {
  if (query.types.length === 0) throw new Error(`a ${query.table} query needs at least one type`);
  const types = [...new Set(query.types.map((t) => t.toLowerCase()))].sort();
  const where =
    types.length === 1
      ? `type =~ ${kqlString(types[0] as string)}`
      : `type in~ (${types.map(kqlString).join(', ')})`;
  const columns = query.columns.join(', ');
  return `${query.table} | where ${where} | project ${columns} | order by id asc`;
}
