// The dashboard's nav section. The navigation to every section.
import { html, type Html } from '../html.js';

export function nav(hasScan: boolean): Html {
  const links: [string, string][] = hasScan
    ? [
        ['summary-h', 'Summary'],
        ['blockers-h', 'Blockers'],
        ['deadlines-h', 'Deadlines'],
        ['trend-h', 'Trend'],
        ['findings-h', 'Findings'],
        ['resolved-h', 'Resolved'],
        ['subscriptions-h', 'Subscriptions'],
      ]
    : [];
  if (links.length === 0) return html``;
  return html`<nav class="sections" aria-label="Sections">
    <div class="wrap">
      <ul>
        ${links.map(([id, text]) => html`<li><a href="#${id}">${text}</a></li>`)}
      </ul>
    </div>
  </nav>`;
}
