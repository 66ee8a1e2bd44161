// The dashboard's navigation: a link to every section the page holds, in the page's order.
import { html, type Html } from '../html.js';

/** `sections`: each section's heading id and its name in the navigation. */
export function nav(sections: readonly (readonly [id: string, label: string])[]): Html {
  if (sections.length === 0) return html``;
  return html`<nav class="sections" aria-label="Sections">
    <div class="wrap">
      <ul>
        ${sections.map(([id, text]) => html`<li><a href="#${id}">${text}</a></li>`)}
      </ul>
    </div>
  </nav>`;
}
