// The KQL subset the Resource Graph emulator understands: tokenizer, recursive-descent parser, evaluator.
// Anything outside the subset is rejected with a positioned error, so a query that drifts from what the
// emulator can answer fails loudly in tests instead of returning plausible but wrong rows.

export type Row = Record<string, unknown>;

export const TABLES = ['resources', 'resourcecontainers', 'authorizationresources'] as const;
export type TableName = (typeof TABLES)[number];

/** Top-level columns of the Resource Graph tables (Kusto column names are case-sensitive). */
export const COLUMNS: readonly string[] = [
  'id',
  'name',
  'type',
  'tenantId',
  'kind',
  'location',
  'resourceGroup',
  'subscriptionId',
  'managedBy',
  'sku',
  'plan',
  'properties',
  'tags',
  'identity',
  'zones',
  'extendedLocation',
];

/** Columns of type `dynamic`: only these accept `.member` / `['member']` access. */
const DYNAMIC_COLUMNS = new Set([
  'sku',
  'plan',
  'properties',
  'tags',
  'identity',
  'zones',
  'extendedLocation',
]);

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
// Tokens

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'op' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly pos: number;
}

const IDENT_START = /[A-Za-z_]/;
// Hyphenated KQL operators, read as one word so the error names the operator the query used.
const HYPHENATED = new Set([
  'mv-expand',
  'mv-apply',
  'project-away',
  'project-keep',
  'project-rename',
  'project-reorder',
  'make-series',
  'parse-where',
  'parse-kv',
]);
const IDENT_PART = /[A-Za-z0-9_]/;

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, at: number): never => {
    throw new KqlError(message, at, query);
  };
  const readIdent = (): string => {
    const start = i;
    while (i < query.length && IDENT_PART.test(query[i] as string)) i++;
    return query.slice(start, i);
  };
  while (i < query.length) {
    const c = query[i] as string;
    const start = i;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && query[i + 1] === '/') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    if (c === "'" || c === '"') {
      tokens.push({
        kind: 'string',
        value: readQuoted(query, i, fail, (end) => (i = end)),
        pos: start,
      });
      continue;
    }
    if (c === '@' && (query[i + 1] === "'" || query[i + 1] === '"')) {
      // Verbatim string: no escapes, a doubled quote stands for one quote.
      const quote = query[i + 1] as string;
      let value = '';
      i += 2;
      for (;;) {
        if (i >= query.length) fail('unterminated string literal', start);
        const ch = query[i] as string;
        if (ch === quote) {
          if (query[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: 'string', value, pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < query.length && /[0-9]/.test(query[i] as string)) i++;
      if (i < query.length && IDENT_PART.test(query[i] as string)) {
        fail(`unexpected character '${query[i]}' in number`, i);
      }
      tokens.push({ kind: 'number', value: query.slice(start, i), pos: start });
      continue;
    }
    if (IDENT_START.test(c)) {
      let word = readIdent();
      if (query[i] === '-' && IDENT_START.test(query[i + 1] ?? '')) {
        const save = i;
        i++;
        const joined = `${word}-${readIdent()}`;
        if (HYPHENATED.has(joined)) word = joined;
        else i = save;
      }
      if (word === 'in' && query[i] === '~') {
        word = 'in~';
        i++;
      }
      tokens.push({ kind: 'ident', value: word, pos: start });
      continue;
    }
    if (c === '=' || c === '!') {
      const next = query[i + 1];
      if (c === '=' && (next === '=' || next === '~')) {
        tokens.push({ kind: 'op', value: c + next, pos: start });
        i += 2;
        continue;
      }
      if (c === '!' && (next === '=' || next === '~')) {
        tokens.push({ kind: 'op', value: c + next, pos: start });
        i += 2;
        continue;
      }
      if (c === '!' && next !== undefined && IDENT_START.test(next)) {
        i++;
        let word = readIdent();
        if (word === 'in' && query[i] === '~') {
          word = 'in~';
          i++;
        }
        tokens.push({ kind: 'op', value: `!${word}`, pos: start });
        continue;
      }
      tokens.push({ kind: 'punct', value: c, pos: start });
      i++;
      continue;
    }
    if ('|(),[].'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, pos: start });
      i++;
      continue;
    }
    fail(`unexpected character '${c}'`, start);
  }
  tokens.push({ kind: 'eof', value: '', pos: query.length });
  return tokens;
}

function readQuoted(
  query: string,
  start: number,
  fail: (message: string, at: number) => never,
  setEnd: (end: number) => void,
): string {
  const quote = query[start] as string;
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= query.length) fail('unterminated string literal', start);
    const ch = query[i] as string;
    if (ch === '\n') fail('line break inside a string literal', i);
    if (ch === quote) {
      setEnd(i + 1);
      return value;
    }
    if (ch === '\\') {
      const esc = query[i + 1];
      switch (esc) {
        case '\\':
        case "'":
        case '"':
          value += esc;
          break;
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case 'u': {
          const hex = query.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape in string literal', i);
          value += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          fail(`unknown escape '\\${esc ?? ''}' in string literal`, i);
      }
      i += 2;
      continue;
    }
    value += ch;
    i++;
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

export function parseQuery(query: string): ParsedQuery {
  const tokens = tokenize(query);
  let index = 0;
  const peek = (): Token => tokens[index] as Token;
  const advance = (): Token => tokens[index++] as Token;
  const fail = (message: string, token: Token = peek()): never => {
    throw new KqlError(message, token.pos, query);
  };
  const show = (t: Token): string => (t.kind === 'eof' ? 'end of query' : `'${t.value}'`);
  const isPunct = (value: string): boolean => peek().kind === 'punct' && peek().value === value;
  const isWord = (value: string): boolean => peek().kind === 'ident' && peek().value === value;
  const expectPunct = (value: string, what: string): void => {
    if (!isPunct(value)) fail(`expected '${value}' ${what}, found ${show(peek())}`);
    advance();
  };
  const expectString = (what: string): string => {
    const t = peek();
    if (t.kind !== 'string') fail(`expected a string literal ${what}, found ${show(t)}`);
    advance();
    return t.value;
  };

  const columnRef = (): ColumnRef => {
    const t = peek();
    if (t.kind !== 'ident') fail(`expected a column name, found ${show(t)}`);
    advance();
    const path: string[] = [];
    for (;;) {
      if (isPunct('.')) {
        advance();
        const member = peek();
        if (member.kind !== 'ident')
          fail(`expected a member name after '.', found ${show(member)}`);
        advance();
        path.push(member.value);
      } else if (isPunct('[')) {
        advance();
        path.push(expectString("inside '[ ]'"));
        expectPunct(']', 'to close the member access');
      } else break;
    }
    if (isPunct('(')) fail(`function '${t.value}()' is not supported by the emulator`, t);
    return { column: t.value, path, pos: t.pos };
  };

  const comparison = (): Expr => {
    const left = columnRef();
    const opToken = peek();
    const op = opToken.value;
    if ((opToken.kind === 'op' || opToken.kind === 'ident') && SCALAR_OPS.has(op)) {
      advance();
      return { kind: 'compare', op, left, values: [expectString(`after '${op}'`)] };
    }
    if ((opToken.kind === 'op' || opToken.kind === 'ident') && LIST_OPS.has(op)) {
      advance();
      expectPunct('(', `after '${op}'`);
      const values = [expectString(`in the '${op}' list`)];
      while (isPunct(',')) {
        advance();
        values.push(expectString(`in the '${op}' list`));
      }
      expectPunct(')', `to close the '${op}' list`);
      return { kind: 'compare', op, left, values };
    }
    return fail(`unsupported comparison operator ${show(opToken)}`, opToken);
  };

  const unary = (): Expr => {
    if (isWord('not')) {
      advance();
      expectPunct('(', "after 'not'");
      const operand = orExpr();
      expectPunct(')', "to close 'not('");
      return { kind: 'not', operand };
    }
    if (isPunct('(')) {
      advance();
      const inner = orExpr();
      expectPunct(')', 'to close the parenthesis');
      return inner;
    }
    return comparison();
  };

  const andExpr = (): Expr => {
    let left = unary();
    while (isWord('and')) {
      advance();
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };

  function orExpr(): Expr {
    let left = andExpr();
    while (isWord('or')) {
      advance();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  }

  const operator = (): Operator => {
    const t = peek();
    if (t.kind !== 'ident') return fail(`expected a query operator after '|', found ${show(t)}`);
    advance();
    switch (t.value) {
      case 'where':
        return { kind: 'where', expr: orExpr(), pos: t.pos };
      case 'project': {
        const columns = [columnRef()];
        while (isPunct(',')) {
          advance();
          columns.push(columnRef());
        }
        return { kind: 'project', columns, pos: t.pos };
      }
      case 'order':
      case 'sort': {
        if (!isWord('by')) fail(`expected 'by' after '${t.value}', found ${show(peek())}`);
        advance();
        const keys: { column: ColumnRef; descending: boolean }[] = [];
        do {
          if (keys.length > 0) advance(); // the ','
          const column = columnRef();
          // KQL's default sort direction is descending.
          let descending = true;
          if (isWord('asc') || isWord('desc')) descending = advance().value === 'desc';
          if (isWord('nulls')) fail("'nulls first|last' is not supported by the emulator");
          keys.push({ column, descending });
        } while (isPunct(','));
        return { kind: 'order', keys, pos: t.pos };
      }
      case 'take':
      case 'limit': {
        const n = peek();
        if (n.kind !== 'number') fail(`expected a row count after '${t.value}', found ${show(n)}`);
        advance();
        return { kind: 'take', count: Number(n.value), pos: t.pos };
      }
      default:
        return fail(
          `unsupported query operator '${t.value}' (the emulator supports ${SUPPORTED})`,
          t,
        );
    }
  };

  const first = peek();
  if (first.kind !== 'ident') fail(`expected a table name, found ${show(first)}`);
  const table = first.value.toLowerCase();
  if (!(TABLES as readonly string[]).includes(table)) {
    fail(`unknown table '${first.value}' (the emulator has ${TABLES.join(', ')})`);
  }
  advance();
  const operators: Operator[] = [];
  while (peek().kind !== 'eof') {
    expectPunct('|', 'between query operators');
    operators.push(operator());
  }
  return { table: table as TableName, operators };
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

/** Parses and checks a query; the result can run over many row sets. */
export function compileQuery(query: string): CompiledQuery {
  const parsed = parseQuery(query);
  let available = new Set(COLUMNS);
  const steps: ((rows: Row[]) => Row[])[] = [];
  const fail = (message: string, pos: number): never => {
    throw new KqlError(message, pos, query);
  };

  const getter = (ref: ColumnRef): Getter => {
    if (!available.has(ref.column)) {
      fail(`failed to resolve column '${ref.column}'`, ref.pos);
    }
    if (ref.path.length === 0) return (row) => row[ref.column];
    if (!DYNAMIC_COLUMNS.has(ref.column)) fail(`column '${ref.column}' has no members`, ref.pos);
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
        const columns: string[] = [];
        for (const ref of op.columns) {
          if (ref.path.length > 0) {
            fail(
              `'project' of a member expression is not supported by the emulator; project '${ref.column}'`,
              ref.pos,
            );
          }
          getter(ref); // checks the column exists at this point of the pipeline
          columns.push(ref.column);
        }
        available = new Set(columns);
        if (!available.has('id')) pageable = false;
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
