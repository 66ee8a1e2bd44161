// Microsoft's Kusto language service (`@kusto/language-service-next`, the Kusto.Language parser and
// analyzer the Azure tools use), loaded once per process, with the Resource Graph table schemas.
// The emulator takes its syntax tree from here, and the product's queries are analysed against it.
//
// The package is a Bridge.NET build: two CommonJS scripts that define the globals `Bridge`, `System`
// and `Kusto`; the runtime (bridge.js) must be loaded before the library, or it fails with
// "Bridge is not defined" (https://github.com/microsoft/Kusto-Query-Language/issues/89).
import { createRequire } from 'node:module';

/** Kusto scalar types used by the Resource Graph columns. */
export type ColumnType = 'string' | 'dynamic';

/**
 * The columns every Resource Graph resource table has, in the order the service returns them.
 * Documented by example rows: https://learn.microsoft.com/azure/governance/resource-graph/concepts/explore-resources
 * (id, kind, location, managedBy, name, plan, properties, resourceGroup, sku, subscriptionId, tags, type;
 * plan/properties/sku/tags are objects) and https://learn.microsoft.com/azure/backup/restore-managed-disks-cli
 * (a full row from `az dataprotection backup-instance list-from-resourcegraph`: also tenantId, identity,
 * zones, extendedLocation). Objects, arrays and nullable objects are Kusto `dynamic`.
 */
export const ARG_COLUMNS: readonly { readonly name: string; readonly type: ColumnType }[] = [
  { name: 'id', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'type', type: 'string' },
  { name: 'tenantId', type: 'string' },
  { name: 'kind', type: 'string' },
  { name: 'location', type: 'string' },
  { name: 'resourceGroup', type: 'string' },
  { name: 'subscriptionId', type: 'string' },
  { name: 'managedBy', type: 'string' },
  { name: 'sku', type: 'dynamic' },
  { name: 'plan', type: 'dynamic' },
  { name: 'properties', type: 'dynamic' },
  { name: 'tags', type: 'dynamic' },
  { name: 'identity', type: 'dynamic' },
  { name: 'zones', type: 'dynamic' },
  { name: 'extendedLocation', type: 'dynamic' },
];

/**
 * Resource Graph tables the scanner reads or will read, by the two spellings Microsoft documents:
 * lower case in https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
 * and Pascal case in https://learn.microsoft.com/azure/governance/resource-graph/concepts/query-language.
 */
export const ARG_TABLES: readonly { readonly name: string; readonly documented: string }[] = [
  { name: 'resources', documented: 'Resources' },
  { name: 'resourcecontainers', documented: 'ResourceContainers' },
  { name: 'authorizationresources', documented: 'AuthorizationResources' },
  { name: 'advisorresources', documented: 'AdvisorResources' },
  { name: 'servicehealthresources', documented: 'ServiceHealthResources' },
];

// ---------------------------------------------------------------------------------------------
// The slice of the library's object model used here (names as in Kusto.Language.Bridge.d.ts).

/** A node or token of the syntax tree; typed members are read through `member()`. */
export interface KustoElement {
  readonly Kind: number;
  readonly IsToken: boolean;
  /** Offset of the element's text (trivia excluded) in the query. */
  readonly TextStart: number;
  readonly Width: number;
  readonly ChildCount: number;
  GetChild(index: number): KustoElement | null;
  /** Token text (tokens only). */
  readonly Text?: string;
  /** Node's syntax as text (nodes only). */
  ToString?(): string;
}

export interface KustoDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly start: number;
  readonly length: number;
}

export interface KustoAnalysis {
  readonly syntax: KustoElement;
  /** Syntax and semantic diagnostics, in the order the library reports them. */
  readonly diagnostics: readonly KustoDiagnostic[];
}

interface BridgeList<T> {
  readonly Count: number;
  getItem(index: number): T;
}

interface BridgeDiagnostic {
  readonly Code: string | null;
  readonly Severity: string | null;
  readonly Message: string | null;
  readonly Start: number;
  readonly Length: number;
}

interface KustoCode {
  readonly Syntax: KustoElement;
  GetDiagnostics(): BridgeList<BridgeDiagnostic>;
}

interface KustoLanguage {
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
  readonly GlobalState: { readonly Default: { WithDatabase(database: unknown): unknown } };
  readonly Symbols: {
    readonly ScalarTypes: { readonly String: unknown; readonly Dynamic: unknown };
    readonly ColumnSymbol: new (
      name: string,
      type: unknown,
      description: null,
      originalColumns: null,
      source: null,
      examples: null,
    ) => unknown;
    readonly TableSymbol: { readonly $ctor4: new (name: string, columns: unknown[]) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
    readonly SymbolKind: Record<string, number | unknown>;
  };
  readonly Syntax: { readonly SyntaxKind: Record<string, number | unknown> };
}

interface Loaded {
  readonly language: KustoLanguage;
  readonly globals: unknown;
  readonly kindNames: ReadonlyMap<number, string>;
  readonly symbolKinds: ReadonlyMap<string, number>;
  /** Milliseconds spent loading the scripts, and building the parser on the first query. */
  readonly loadMs: number;
  readonly warmUpMs: number;
}

let loaded: Loaded | undefined;

function enumNames(value: Record<string, number | unknown>): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, n] of Object.entries(value)) if (typeof n === 'number') names.set(n, name);
  return names;
}

/**
 * Loads the library (once per process) and builds the Resource Graph schema. The first query
 * builds the library's grammar, which takes seconds, so it is done here as well: callers that load
 * at startup keep that cost off their first request.
 */
export function loadKusto(): Loaded {
  if (loaded) return loaded;
  const started = performance.now();
  const require = createRequire(import.meta.url);
  // The minified builds: the same code, loaded in about half the time.
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const root = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto?.Language;
  if (!root) throw new Error('@kusto/language-service-next did not define Kusto.Language');
  const loadMs = performance.now() - started;

  const { Symbols } = root;
  const columns = (): unknown[] =>
    ARG_COLUMNS.map(
      (c) =>
        new Symbols.ColumnSymbol(
          c.name,
          c.type === 'dynamic' ? Symbols.ScalarTypes.Dynamic : Symbols.ScalarTypes.String,
          null,
          null,
          null,
          null,
        ),
    );
  // Columns are built as symbols, not from a schema string: the library's schema parser stops at a
  // keyword used as a column name (`kind`) and silently drops the columns after it.
  const tables = ARG_TABLES.flatMap((t) => [
    new Symbols.TableSymbol.$ctor4(t.name, columns()),
    new Symbols.TableSymbol.$ctor4(t.documented, columns()),
  ]);
  const globals = root.GlobalState.Default.WithDatabase(
    new Symbols.DatabaseSymbol.ctor('resourcegraph', tables),
  );
  const warm = performance.now();
  root.KustoCode.ParseAndAnalyze('resources | where type == "" | take 1', globals);
  loaded = {
    language: root,
    globals,
    kindNames: enumNames(root.Syntax.SyntaxKind),
    symbolKinds: new Map([...enumNames(Symbols.SymbolKind)].map(([n, name]) => [name, n])),
    loadMs,
    warmUpMs: performance.now() - warm,
  };
  return loaded;
}

/** How long loading took in this process (undefined before the first load). */
export function kustoLoadTimes(): { loadMs: number; warmUpMs: number } | undefined {
  return loaded ? { loadMs: loaded.loadMs, warmUpMs: loaded.warmUpMs } : undefined;
}

/** Parses and analyses a query against the Resource Graph schema. */
export function analyzeKql(query: string): KustoAnalysis {
  const kusto = loadKusto();
  const code = kusto.language.KustoCode.ParseAndAnalyze(query, kusto.globals);
  const list = code.GetDiagnostics();
  const diagnostics: KustoDiagnostic[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    diagnostics.push({
      code: d.Code ?? '',
      severity: d.Severity ?? '',
      message: d.Message ?? '',
      start: d.Start,
      length: d.Length,
    });
  }
  return { syntax: code.Syntax, diagnostics };
}

/** Errors only (the library also reports warnings and suggestions). */
export function errorsOf(analysis: KustoAnalysis): KustoDiagnostic[] {
  return analysis.diagnostics.filter((d) => d.severity === 'Error');
}

/** The `SyntaxKind` name of an element, e.g. 'FilterOperator', 'EqualExpression'. */
export function kindOf(element: KustoElement): string {
  return loadKusto().kindNames.get(element.Kind) ?? `SyntaxKind ${element.Kind}`;
}

/** A typed member of a node (`Condition`, `Expressions`, `Left`, …), or undefined when absent. */
export function member(element: KustoElement, name: string): KustoElement | undefined {
  const value = (element as unknown as Record<string, unknown>)[name];
  return typeof value === 'object' && value !== null ? (value as KustoElement) : undefined;
}

/** The elements of a `SyntaxList<SeparatedElement<T>>` or `SyntaxList<T>`. */
export function listItems(list: KustoElement | undefined): KustoElement[] {
  if (!list) return [];
  const bridged = list as unknown as BridgeList<KustoElement>;
  const out: KustoElement[] = [];
  for (let i = 0; i < bridged.Count; i++) {
    const item = bridged.getItem(i);
    // A separated element wraps the element and its separator.
    out.push(member(item, 'Element$1') ?? item);
  }
  return out;
}

/** The constant value the analyzer computed for a literal (strings, longs), if any. */
export function constantOf(element: KustoElement): string | number | undefined {
  const node = element as unknown as { IsConstant?: boolean; ConstantValue?: unknown };
  if (!node.IsConstant) return undefined;
  const value = node.ConstantValue;
  if (typeof value === 'string' || typeof value === 'number') return value;
  // Longs are System.Int64 objects; their string form is the exact value.
  if (typeof value === 'object' && value !== null) {
    const n = Number(String(value));
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** The symbol a name refers to after analysis: its name and kind ('Table', 'Column', 'Function', …). */
export function referencedSymbol(
  element: KustoElement,
): { readonly name: string; readonly kind: string } | undefined {
  const symbol = (element as unknown as { ReferencedSymbol?: { Name?: string; Kind?: number } })
    .ReferencedSymbol;
  if (!symbol || typeof symbol.Name !== 'string' || typeof symbol.Kind !== 'number')
    return undefined;
  const kusto = loadKusto();
  for (const [name, n] of kusto.symbolKinds)
    if (n === symbol.Kind) return { name: symbol.Name, kind: name };
  return { name: symbol.Name, kind: String(symbol.Kind) };
}
