// Issue 19 item 6: parse errors are reported by position, never by the text around them.
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, jsonPosition } from '../../src/core/parse-position.js';

const SAMPLES = [
  ...['[]', '{}', '{"a":1}', '[1,2,{"b":[true,false,null,"x\\u00e9"]}]', ' 12 ', '"s"', '-0.5e+3'],
  ...['[1,]', '{"a" 1}', '{"a":}', '[1 2]', '{,}', '[', "{'a':1}", '01', '1.', '"\\x"', 'nul'],
  ...['[1]]', '"a\nb"', '{"a":1,}', '[{"a":[{}]},{"b":{"c":[]}}]', '{"a":1}x', '', ' '],
];

describe('jsonErrorOffset', () => {
  it.each(SAMPLES)('agrees with JSON.parse on %j', (text) => {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    expect(jsonErrorOffset(text) === -1).toBe(valid);
  });

  it('names the line and column, not the content', () => {
    const text = '[{"id": "x"},\n AccountKey=S3cr3t== ]';
    expect(jsonPosition(text)).toBe('not valid JSON at line 2, column 2');
    expect(jsonPosition('[1,')).toBe('not valid JSON at line 1, column 4');
  });

  it('walks deep nesting without recursion', () => {
    expect(jsonErrorOffset('['.repeat(200_000))).toBe(200_000);
  });
});
