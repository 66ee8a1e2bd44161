// The KQL the Resource Graph emulator answers. Queries are parsed and analysed by Microsoft's Kusto
// language service (./kusto.ts) against the Resource Graph schema, so what the service would reject
// is rejected here with the same diagnostic; the emulator then walks Microsoft's syntax tree and
// evaluates the operators it supports. Anything else is rejected with a positioned error, so a query
// that drifts from what the emulator can answer fails loudly instead of returning plausible rows.
import {
  analyzeKql,
  ARG_COLUMNS,
  constantOf,
  errorsOf,
  kindOf,
  listItems,
  loadKusto,
  member,
  referencedSymbol,
  type KustoElement,
} from './kusto.js';

export type Row = Record<string, unknown>;

/** The tables the emulator serves (the schema knows more: those are refused as not emulated). */
export const TABLES = [
  'resources',
  'resourcecontainers',
  'authorizationresources',
  'advisorresources',
  'servicehealthresources',
] as const;
export type TableName = (typeof TABLES)[number];

/** Top-level columns of the Resource Graph tables (Kusto column names are case-sensitive). */
export const COLUMNS: readonly string[] = ARG_COLUMNS.map((c) => c.name);

// Loaded once per process, when the emulator is imported: building the library's grammar takes
// seconds, which the first request must not pay (clients time pages out after 1.5 s in tests).
loadKusto();

export class KqlError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the query text. */
    readonly offset: number,
    readonly query: string,
  ) {
    super(message);
    this.name = 'KqlError';
  }

  /** "line L, column C" (1-based) of the offset. */
  get where(): string {
    const before = this.query.slice(0, this.offset);
    const line = before.split('\n').length;
    const column = this.offset - before.lastIndexOf('\n');
    return `line ${line}, column ${column}`;
  }

  /** The message as the emulator reports it in its `ParserFailure` detail. */
  describe(): string {
    return `${this.message} (at ${this.where}, offset ${this.offset})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

export interface ColumnRef {
  readonly column: string;
  /** Member path below a dynamic column (`tags['owner']` → ['owner']). */
  readonly path: readonly string[];
  readonly pos: number;
}

export type Expr =
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | {
      readonly kind: 'compare';
      readonly op: string;
      readonly left: ColumnRef;
      readonly values: readonly string[];
    };

export type Operator =
  | { readonly kind: 'where'; readonly expr: Expr; readonly pos: number }
  | { readonly kind: 'project'; readonly columns: readonly ColumnRef[]; readonly pos: number }
  | {
      readonly kind: 'order';
      readonly keys: readonly { column: ColumnRef; descending: boolean }[];
      readonly pos: number;
    }
  | { readonly kind: 'take'; readonly count: number; readonly pos: number };

export interface ParsedQuery {
  readonly table: TableName;
  readonly operators: readonly Operator[];
}

const SCALAR_OPS = new Set([
  '==',
  '!=',
  '=~',
  '!~',
  'contains',
  '!contains',
  'startswith',
  '!startswith',
  'endswith',
  '!endswith',
]);
const LIST_OPS = new Set(['in', '!in', 'in~', '!in~']);

const SUPPORTED = 'where, project, order by / sort by, take / limit';

/** Text of the first token of an element (an operator's keyword, a function's name). */
function firstToken(element: KustoElement): string {
  let current: KustoElement | null = element;
  while (current && !current.IsToken) {
    let next: KustoElement | null = null;
    for (let i = 0; i < current.ChildCount && !next; i++) {
      const child = current.GetChild(i);
      if (child && (child.IsToken || child.Width > 0)) next = child;
    }
    current = next;
  }
  return current?.Text ?? '';
}

/** Lowers Microsoft's syntax tree to the plan the evaluator runs; throws KqlError on what it cannot run. */
function lower(root: KustoElement, query: string): ParsedQuery {
  const unsupported = (message: string, at: KustoElement | number): never => {
    throw new KqlError(message, typeof at === 'number' ? at : at.TextStart, query);
  };
  const required = (element: KustoElement, name: string): KustoElement =>
    member(element, name) ?? unsupported(`incomplete ${kindOf(element)}`, element);

  const columnRef = (e: KustoElement): ColumnRef => {
    switch (kindOf(e)) {
      case 'NameReference': {
        const symbol = referencedSymbol(e);
        if (symbol?.kind !== 'Column')
          return unsupported(`expected a column, found '${e.ToString?.() ?? ''}'`, e);
        return { column: symbol.name, path: [], pos: e.TextStart };
      }
      case 'PathExpression': {
        const base = columnRef(required(e, 'Expression'));
        const selector = required(e, 'Selector');
        const name = (selector as unknown as { SimpleName?: string }).SimpleName;
        if (kindOf(selector) !== 'NameReference' || typeof name !== 'string')
          return unsupported("expected a member name after '.'", selector);
        return { ...base, path: [...base.path, name] };
      }
      case 'ElementExpression': {
        const base = columnRef(required(e, 'Expression'));
        const selector = required(e, 'Selector');
        const inner =
          kindOf(selector) === 'BracketedExpression' ? member(selector, 'Expression') : undefined;
        const key = inner ? constantOf(inner) : undefined;
        if (typeof key !== 'string')
          return unsupported(
            "the emulator reads members by string key only (`tags['owner']`)",
            selector,
          );
        return { ...base, path: [...base.path, key] };
      }
      case 'FunctionCallExpression':
        return unsupported(`function '${firstToken(e)}()' is not supported by the emulator`, e);
      default:
        return unsupported(`expected a column, found '${e.ToString?.() ?? kindOf(e)}'`, e);
    }
  };

  const stringValue = (e: KustoElement): string => {
    const value = constantOf(e);
    if (typeof value !== 'string')
      return unsupported('the emulator compares with string literals only', e);
    return value;
  };

  const expr = (e: KustoElement): Expr => {
    const kind = kindOf(e);
    if (kind === 'AndExpression' || kind === 'OrExpression') {
      return {
        kind: kind === 'AndExpression' ? 'and' : 'or',
        left: expr(required(e, 'Left')),
        right: expr(required(e, 'Right')),
      };
    }
    if (kind === 'ParenthesizedExpression') return expr(required(e, 'Expression'));
    if (kind === 'FunctionCallExpression') {
      const name = firstToken(e);
      const args = listItems(member(required(e, 'ArgumentList'), 'Expressions'));
      if (name === 'not' && args.length === 1)
        return { kind: 'not', operand: expr(args[0] as KustoElement) };
      return unsupported(`function '${name}()' is not supported by the emulator`, e);
    }
    const operator = member(e, 'Operator');
    const op = operator?.IsToken ? (operator.Text ?? '') : '';
    if (op && member(e, 'Left')) {
      const right = required(e, 'Right');
      if (SCALAR_OPS.has(op) && kindOf(right) !== 'ExpressionList') {
        return {
          kind: 'compare',
          op,
          left: columnRef(required(e, 'Left')),
          values: [stringValue(right)],
        };
      }
      if (LIST_OPS.has(op) && kindOf(right) === 'ExpressionList') {
        const values = listItems(member(right, 'Expressions')).map(stringValue);
        return { kind: 'compare', op, left: columnRef(required(e, 'Left')), values };
      }
      return unsupported(`unsupported comparison operator '${op}'`, operator as KustoElement);
    }
    return unsupported(`unsupported expression '${e.ToString?.() ?? kind}'`, e);
  };

  const operator = (op: KustoElement): Operator => {
    const kind = kindOf(op);
    const keyword = firstToken(op);
    const noParameters = (): void => {
      const parameters = listItems(member(op, 'Parameters'));
      if (parameters.length > 0)
        unsupported(
          `'${keyword}' parameters are not supported by the emulator`,
          parameters[0] as KustoElement,
        );
    };
    switch (kind) {
      case 'FilterOperator':
        noParameters();
        return { kind: 'where', expr: expr(required(op, 'Condition')), pos: op.TextStart };
      case 'ProjectOperator': {
        const columns = listItems(member(op, 'Expressions')).map((e) => {
          if (kindOf(e) === 'SimpleNamedExpression')
            return unsupported(
              "'project' of a computed column is not supported by the emulator",
              e,
            );
          const ref = columnRef(e);
          if (ref.path.length > 0) {
            unsupported(
              `'project' of a member expression is not supported by the emulator; project '${ref.column}'`,
              e,
            );
          }
          return ref;
        });
        return { kind: 'project', columns, pos: op.TextStart };
      }
      case 'SortOperator': {
        noParameters();
        const keys = listItems(member(op, 'Expressions')).map((e) => {
          if (kindOf(e) !== 'OrderedExpression') return { column: columnRef(e), descending: true };
          const ordering = member(e, 'Ordering');
          const direction = ordering ? member(ordering, 'AscOrDescKeyword') : undefined;
          const nulls = ordering ? member(ordering, 'NullsClause') : undefined;
          if (nulls && nulls.Width > 0)
            unsupported("'nulls first|last' is not supported by the emulator", nulls);
          // KQL's default sort direction is descending.
          const descending = !(direction && direction.Width > 0 && direction.Text === 'asc');
          return { column: columnRef(required(e, 'Expression')), descending };
        });
        return { kind: 'order', keys, pos: op.TextStart };
      }
      case 'TakeOperator': {
        noParameters();
        const count = required(op, 'Expression');
        const value = constantOf(count);
        // The library wraps a literal past the long range to 0 without a diagnostic: compare the text.
        const text = firstToken(count);
        const exact = /^[0-9]+$/.test(text) ? Number(text) === value : true;
        if (
          kindOf(count) !== 'LongLiteralExpression' ||
          typeof value !== 'number' ||
          value < 0 ||
          !exact
        )
          return unsupported(`expected a row count after '${keyword}'`, count);
        return { kind: 'take', count: value, pos: op.TextStart };
      }
      default:
        return unsupported(
          `unsupported query operator '${keyword}' (the emulator supports ${SUPPORTED})`,
          op,
        );
    }
  };

  if (listItems(member(root, 'Directives')).length > 0)
    unsupported('directives are not supported by the emulator', root);
  const statements = listItems(member(root, 'Statements')).filter((s) => s.Width > 0);
  const statement = statements[0];
  if (!statement) return unsupported('expected a query', 0);
  if (statements.length > 1 || kindOf(statement) !== 'ExpressionStatement') {
    const other = statements.find((s) => kindOf(s) !== 'ExpressionStatement') ?? statements[1];
    unsupported(
      `'${firstToken(other as KustoElement)}' statements are not supported by the emulator`,
      other as KustoElement,
    );
  }
  // a | b | c is Pipe(Pipe(a, b), c): collect the operators right to left, then the table.
  const operators: Operator[] = [];
  let source = required(statement, 'Expression');
  const pipes: KustoElement[] = [];
  while (kindOf(source) === 'PipeExpression') {
    pipes.unshift(required(source, 'Operator'));
    source = required(source, 'Expression');
  }
  const symbol = kindOf(source) === 'NameReference' ? referencedSymbol(source) : undefined;
  if (symbol?.kind !== 'Table')
    return unsupported(`expected a table name, found '${firstToken(source)}'`, source);
  const table = symbol.name.toLowerCase();
  if (!(TABLES as readonly string[]).includes(table)) {
    unsupported(
      `table '${symbol.name}' is not served by the emulator (it has ${TABLES.join(', ')})`,
      source,
    );
  }
  for (const op of pipes) operators.push(operator(op));
  return { table: table as TableName, operators };
}

/**
 * Parses a query with Microsoft's parser and analyser and lowers it to the emulator's plan. The first
 * problem in the text wins: an error diagnostic of the library (what the service would reject), or a
 * construct the emulator does not evaluate.
 */
export function parseQuery(query: string): ParsedQuery {
  const analysis = analyzeKql(query);
  const errors = errorsOf(analysis).sort((a, b) => a.start - b.start);
  const first = errors[0];
  let plan: ParsedQuery | KqlError | undefined;
  try {
    plan = lower(analysis.syntax, query);
  } catch (error) {
    if (error instanceof KqlError) plan = error;
    // A broken tree (already diagnosed) may not lower: the diagnostic is the answer then.
    else if (!first) throw error;
  }
  if (first && (!(plan instanceof KqlError) || first.start <= plan.offset)) {
    throw new KqlError(`${first.message} (${first.code})`, first.start, query);
  }
  if (plan instanceof KqlError) throw plan;
  return plan as ParsedQuery;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface CompiledQuery {
  readonly table: TableName;
  /** False when a `project` drops `id`: like the real service, such a result cannot be paged. */
  readonly pageable: boolean;
  run(rows: readonly Row[]): Row[];
}

type Getter = (row: Row) => unknown;
type Predicate = (row: Row) => boolean;

/** String form of a value, as KQL compares it; absent and null read as the empty string. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compiled queries by text: the emulator pages the same few queries many times. */
const compiled = new Map<string, CompiledQuery | KqlError>();
const COMPILED_CACHE_SIZE = 256;

/** Parses and checks a query (once per text); the result can run over many row sets. */
export function compileQuery(query: string): CompiledQuery {
  let hit = compiled.get(query);
  if (!hit) {
    try {
      hit = compile(query);
    } catch (error) {
      if (!(error instanceof KqlError)) throw error;
      hit = error;
    }
    if (compiled.size >= COMPILED_CACHE_SIZE)
      compiled.delete(compiled.keys().next().value as string);
    compiled.set(query, hit);
  }
  if (hit instanceof KqlError) throw hit;
  return hit;
}

function compile(query: string): CompiledQuery {
  // Columns, members and types were checked by the analyser against the Resource Graph schema.
  const parsed = parseQuery(query);
  const steps: ((rows: Row[]) => Row[])[] = [];

  const getter = (ref: ColumnRef): Getter => {
    if (ref.path.length === 0) return (row) => row[ref.column];
    const column = ref.column;
    const path = ref.path;
    return (row) => {
      let current: unknown = row[column];
      for (const member of path) {
        if (typeof current !== 'object' || current === null || Array.isArray(current))
          return undefined;
        current = (current as Record<string, unknown>)[member];
      }
      return current;
    };
  };

  const predicate = (expr: Expr): Predicate => {
    switch (expr.kind) {
      case 'and': {
        const l = predicate(expr.left);
        const r = predicate(expr.right);
        return (row) => l(row) && r(row);
      }
      case 'or': {
        const l = predicate(expr.left);
        const r = predicate(expr.right);
        return (row) => l(row) || r(row);
      }
      case 'not': {
        const inner = predicate(expr.operand);
        return (row) => !inner(row);
      }
      case 'compare':
        return comparePredicate(expr.op, getter(expr.left), expr.values);
    }
  };

  let pageable = true;
  for (const op of parsed.operators) {
    switch (op.kind) {
      case 'where': {
        const test = predicate(op.expr);
        steps.push((rows) => rows.filter(test));
        break;
      }
      case 'project': {
        const columns = op.columns.map((ref) => ref.column);
        if (!columns.includes('id')) pageable = false;
        steps.push((rows) =>
          rows.map((row) => {
            const out: Row = {};
            for (const c of columns) out[c] = row[c] ?? null;
            return out;
          }),
        );
        break;
      }
      case 'order': {
        const keys = op.keys.map((k) => ({ get: getter(k.column), sign: k.descending ? -1 : 1 }));
        steps.push((rows) => {
          // Decorate once: text conversion per comparison would dominate the sort on big tenants.
          const decorated = rows.map((row) => ({
            row,
            values: keys.map((k) => asText(k.get(row))),
          }));
          decorated.sort((a, b) => {
            for (let i = 0; i < keys.length; i++) {
              const c = ordinal(a.values[i] as string, b.values[i] as string);
              if (c !== 0) return c * (keys[i] as { sign: number }).sign;
            }
            return 0;
          });
          return decorated.map((d) => d.row);
        });
        break;
      }
      case 'take': {
        const count = op.count;
        steps.push((rows) => rows.slice(0, count));
        break;
      }
    }
  }
  return {
    table: parsed.table,
    pageable,
    run(rows) {
      let current = rows as Row[];
      for (const step of steps) current = step(current);
      // Never hand out the caller's array: the result is cached and paged.
      return current === rows ? [...current] : current;
    },
  };
}

function comparePredicate(op: string, get: Getter, values: readonly string[]): Predicate {
  const value = values[0] as string;
  const lowered = value.toLowerCase();
  switch (op) {
    case '==':
      return (row) => asText(get(row)) === value;
    case '!=':
      return (row) => asText(get(row)) !== value;
    case '=~':
      return (row) => asText(get(row)).toLowerCase() === lowered;
    case '!~':
      return (row) => asText(get(row)).toLowerCase() !== lowered;
    case 'contains':
      return (row) => asText(get(row)).toLowerCase().includes(lowered);
    case '!contains':
      return (row) => !asText(get(row)).toLowerCase().includes(lowered);
    case 'startswith':
      return (row) => asText(get(row)).toLowerCase().startsWith(lowered);
    case '!startswith':
      return (row) => !asText(get(row)).toLowerCase().startsWith(lowered);
    case 'endswith':
      return (row) => asText(get(row)).toLowerCase().endsWith(lowered);
    case '!endswith':
      return (row) => !asText(get(row)).toLowerCase().endsWith(lowered);
    case 'in': {
      const set = new Set(values);
      return (row) => set.has(asText(get(row)));
    }
    case '!in': {
      const set = new Set(values);
      return (row) => !set.has(asText(get(row)));
    }
    case 'in~': {
      const set = new Set(values.map((v) => v.toLowerCase()));
      return (row) => set.has(asText(get(row)).toLowerCase());
    }
    case '!in~': {
      const set = new Set(values.map((v) => v.toLowerCase()));
      return (row) => !set.has(asText(get(row)).toLowerCase());
    }
    default:
      throw new Error(`unhandled operator ${op}`);
  }
}
