// Where a parse failed, by position only: parse errors never quote the text (it may hold a key, or be a system file).

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The offset of the first JSON syntax error in `text` (`text.length` when it ends too early), or -1 when it is valid
 * JSON. Linear, iterative (no recursion on nesting), and independent of the engine's message wording.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const string = (): boolean => {
    i++; // the opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
        continue;
      }
      i++;
    }
    return false;
  };
  // What the parser waits for: a value, or (after one) the separator or closer of the enclosing container.
  const stack: ('array' | 'object')[] = [];
  let wantValue = true;
  for (;;) {
    ws();
    if (wantValue) {
      if (i >= n) return n;
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          wantValue = false;
          continue;
        }
        stack.push(c === '{' ? 'object' : 'array');
        if (c === '{') {
          if (text[i] !== '"' || !string()) return Math.min(i, n);
          ws();
          if (text[i] !== ':') return Math.min(i, n);
          i++;
        }
        continue;
      }
      if (c === '"') {
        if (!string()) return Math.min(i, n);
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return i;
        i = NUMBER.lastIndex;
      } else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else return i;
      wantValue = false;
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) return i >= n ? -1 : i;
    if (i >= n) return n;
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === 'object') {
        ws();
        if (text[i] !== '"' || !string()) return Math.min(i, n);
        ws();
        if (text[i] !== ':') return Math.min(i, n);
        i++;
      }
      wantValue = true;
    } else if (c === (top === 'object' ? '}' : ']')) {
      i++;
      stack.pop();
    } else return i;
  }
}

/** Where JSON.parse failed, as `not valid JSON at line L, column C` (never the text around it). */
export function jsonPosition(text: string, _error?: unknown): string {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return 'not valid JSON';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `not valid JSON at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Where a YAML parse failed (the yaml package's `linePos` and error code). */
export function yamlPosition(error: unknown): string {
  const pos = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  const code = (error as { code?: string }).code;
  return pos
    ? `not valid YAML at line ${pos.line}, column ${pos.col}${code ? ` (${code})` : ''}`
    : 'not valid YAML';
}
