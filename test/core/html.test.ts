import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, safeHref } from '../../src/views/html.js';

describe('html escaping', () => {
  it('escapes every markup character', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y' \``)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;',
    );
    expect(escapeHtml(undefined)).toBe('');
  });
  it('escapes interpolations but not nested html', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<p title="${name}">${name}${html`<b>${'&'}</b>`}${raw('<br>')}${[1, '<2>']}</p>`;
    expect(String(out)).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;<b>&amp;</b><br>1&lt;2&gt;</p>',
    );
  });
  it('keeps only http(s) and relative links', () => {
    expect(safeHref('https://learn.microsoft.com/a?b=1&c=2')).toBe(
      'https://learn.microsoft.com/a?b=1&amp;c=2',
    );
    expect(safeHref('/api/rules/classic/x')).toBe('/api/rules/classic/x');
    expect(safeHref('javascript:alert(1)')).toBe('#');
    expect(safeHref('//evil.example')).toBe('#');
    // An in-page anchor is safe; anything else after the # is not.
    expect(safeHref('#rule-3')).toBe('#rule-3');
    expect(safeHref('#x" onclick="y')).toBe('#');
    expect(safeHref(' data:text/html,<b>')).toBe('#');
  });
});
