// The dashboard's trend section. The trend of open findings per day, an inline SVG line chart.
import type { DashboardModel } from '../dashboard-model.js';
import { html, type Html } from '../html.js';
import { n } from './common.js';

export function trend(model: DashboardModel): Html {
  const days = model.trend;
  if (days.length < 2) {
    return html`<section aria-labelledby="trend-h" class="trend">
      <h2 id="trend-h">Trend</h2>
      <p class="muted">
        The trend of open findings appears once scans have run on two different days.
      </p>
    </section>`;
  }
  const width = 1000;
  const height = 90;
  const max = Math.max(1, ...days.map((d) => d.open));
  const x = (i: number) => ((i / (days.length - 1)) * width).toFixed(1);
  const y = (v: number) => (height - 6 - (v / max) * (height - 14)).toFixed(1);
  const line = (pick: (d: (typeof days)[number]) => number) =>
    days.map((d, i) => `${x(i)},${y(pick(d))}`).join(' ');
  const first = days[0] as (typeof days)[number];
  const last = days[days.length - 1] as (typeof days)[number];
  const lowest = Math.min(...days.map((d) => d.open));
  const text = `Open findings went from ${n(first.open)} on ${first.day} to ${n(last.open)} on ${last.day} (lowest ${n(lowest)}, highest ${n(max)}); blockers from ${n(first.bySeverity.blocker)} to ${n(last.bySeverity.blocker)}.`;
  return html`<section aria-labelledby="trend-h" class="trend">
    <h2 id="trend-h">Trend</h2>
    <svg
      id="trend-chart"
      role="img"
      aria-labelledby="trend-title trend-desc"
      viewBox="0 0 ${width} ${height}"
      preserveAspectRatio="none"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="trend-title">Open findings per day, ${first.day} to ${last.day}</title>
      <desc id="trend-desc">${text}</desc>
      <polyline
        class="line-open"
        points="${line((d) => d.open)}"
        vector-effect="non-scaling-stroke"
      ></polyline>
      <polyline
        class="line-blocker"
        points="${line((d) => d.bySeverity.blocker)}"
        vector-effect="non-scaling-stroke"
      ></polyline>
    </svg>
    <ul class="legend">
      <li><span class="key"></span>Open findings</li>
      <li><span class="key key-blocker"></span>Open blockers</li>
    </ul>
    <p>${text}</p>
  </section>`;
}
