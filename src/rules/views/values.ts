// Safe readers over untrusted JSON: a wrong shape reads as `undefined`, never as an exception.

export type Json = unknown;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is an object (not an array): what each step of `at` goes through. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A field path split into its steps. */
export type Path = readonly string[];

function compilePath(path: string): Path {
  const steps = Object.freeze(path.split('.'));
  // Steps are read without an own-property check (hot path): none may name an Object.prototype member.
  for (const step of steps) {
    if (step in Object.prototype)
      throw new Error(`field path "${path}" has a reserved step "${step}"`);
  }
  return steps;
}

/** Splits every dotted path of a PATH table once, at module load. */
export function compilePaths<T extends Record<string, string>>(
  table: T,
): { readonly [K in keyof T]: Path } {
  const out: Record<string, Path> = {};
  for (const [key, path] of Object.entries(table)) out[key] = compilePath(path);
  return out as { readonly [K in keyof T]: Path };
}

const COMPILED = new Map<string, Path>();

/** Follows a path (compiled, or dotted); `undefined` as soon as a step is not an object. */
export function at(value: unknown, path: Path | string): unknown {
  let steps: Path | undefined;
  if (typeof path === 'string') {
    steps = COMPILED.get(path);
    if (!steps) {
      steps = compilePath(path);
      COMPILED.set(path, steps);
    }
  } else {
    steps = path;
  }
  let current = value;
  for (let i = 0; i < steps.length; i++) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[steps[i] as string];
  }
  return current;
}

const NONE: readonly never[] = Object.freeze([]);

/** The items matching `predicate`; a shared empty list (no allocation) when none does. */
export function matching<T>(items: readonly T[], predicate: (item: T) => boolean): readonly T[] {
  for (let i = 0; i < items.length; i++) {
    if (predicate(items[i] as T)) return items.slice(i).filter(predicate);
  }
  return NONE;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Fast path (no trimmed copy): a string that starts with a visible ASCII character is not blank.
  const first = value.charCodeAt(0);
  if (first > 32 && first < 127) return value;
  return value.trim().length > 0 ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  return undefined;
}

/** An array, or undefined when the value is absent or not an array. */
export function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The string items of an array (others dropped), or undefined when not an array. */
export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** The non-empty string items of an array, without case-insensitive duplicates; [] when not an array. */
export function distinctTexts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  if (value.length === 1) {
    const only = text(value[0]);
    return only === undefined ? [] : [only];
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of value) {
    const t = text(item);
    if (t === undefined) continue;
    const key = t.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

export function lower(value: string | undefined): string | undefined {
  return value?.toLowerCase();
}

/** Case-insensitive equality of two optional strings (both must be strings). */
export function sameText(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
