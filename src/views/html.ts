// HTML escaping for every string that reaches a page, a report or an e-mail: names and tags are user-controlled.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c] as string);
}

/**
 * A URL safe to put in href: only http(s), relative links and in-page anchors (`#rule-3`); anything else
 * (javascript:, data:) becomes '#'.
 */
export function safeHref(url: string): string {
  const trimmed = url.trim();
  if (
    /^https?:\/\//i.test(trimmed) ||
    /^\/(?!\/)/.test(trimmed) ||
    /^\.\.?\//.test(trimmed) ||
    /^#[A-Za-z][\w-]*$/.test(trimmed)
  ) {
    return escapeHtml(trimmed);
  }
  return '#';
}

/** A tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/** Trusted markup (built by `html` or constant), passed through unescaped. */
export function raw(markup: string): Html {
  return new Html(markup);
}
