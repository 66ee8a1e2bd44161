// GET /api/rules (the catalog) and GET /api/rules/{pack}/{name} (one rule, and its doc as a page).
import { readRuleDoc } from '../adapters/rule-docs.js';
import { services } from '../composition.js';
import { metaOf } from '../rules/define-rule.js';
import { escapeHtml } from '../views/html.js';
import { markdownToHtml } from '../views/markdown.js';
import {
  json,
  problem,
  type ContextLike,
  type HttpRequestLike,
  type HttpResponseInit,
} from './http.js';

export async function getRules(
  _request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  return json(
    200,
    { rules: services().rules.map(metaOf) },
    { 'Cache-Control': 'public, max-age=300' },
  );
}

const DOC_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function getRule(
  request: HttpRequestLike,
  _context: ContextLike,
): Promise<HttpResponseInit> {
  const id = `${request.params.pack ?? ''}/${request.params.name ?? ''}`;
  const rule = services().rules.find((r) => r.id === id);
  if (!rule) return problem(404, 'NotFound', `no rule "${id}" in the catalog`);
  const format =
    request.query.get('format') ??
    ((request.headers.get('accept') ?? '').includes('text/html') ? 'html' : 'json');
  if (format !== 'html' && format !== 'json')
    return problem(400, 'InvalidParameter', 'format: must be html or json');
  const doc = rule.docMarkdown ?? readRuleDoc(rule.doc);
  if (format === 'json')
    return json(
      200,
      { ...metaOf(rule), docMarkdown: doc ?? null },
      { 'Cache-Control': 'public, max-age=300' },
    );
  const body = doc
    ? markdownToHtml(doc)
    : `<h1>${escapeHtml(rule.id)}</h1><p>${escapeHtml(rule.title)}</p><p>${escapeHtml(rule.recommendation)}</p>`;
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      'Content-Security-Policy': DOC_CSP,
      'X-Content-Type-Options': 'nosniff',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(rule.id)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}code{background:#f2f2f2;padding:0 .2em}a{color:#0b57d0}</style></head><body><main>${body}</main></body></html>`,
  };
}
