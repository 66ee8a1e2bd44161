// The dashboard's one inline style sheet (sent under the page's CSP nonce).

/**
 * Colours pass WCAG AA (text ≥ 4.5:1, bars and focus rings ≥ 3:1) in both schemes;
 * severity, state and status are always written out as text too.
 */
export const STYLE = `
:root {
  color-scheme: light dark;
  --fg: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --panel: #f3f4f6; --line: #8c8c8c; --soft-line: #d0d3d8;
  --link: #0645ad; --focus: #0b57d0;
  --blocker: #a4262c; --warning: #7a4a00; --info: #005a9e; --ok: #0b6a0b; --neutral: #4a4a4a;
  --bar-blocker: #a4262c; --line-open: #005a9e; --line-blocker: #a4262c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #ececec; --muted: #bdbdbd; --bg: #15171b; --panel: #22252b; --line: #7d828a; --soft-line: #3a3e45;
    --link: #8ab4f8; --focus: #8ab4f8;
    --bar-blocker: #f28b82; --line-open: #8ab4f8; --line-blocker: #f28b82;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
.wrap { max-width: 82rem; margin: 0 auto; padding: 0 1rem; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
code { font-family: ui-monospace, "Cascadia Mono", Consolas, Menlo, monospace; font-size: .88em; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--fg); }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
p { margin: .35rem 0; }
.muted { color: var(--muted); }
.skip { position: absolute; left: -999px; top: .5rem; padding: .5rem .75rem; background: var(--bg); color: var(--link); z-index: 10; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.top { background: var(--panel); border-bottom: 1px solid var(--soft-line); padding: 1rem 0 .75rem; }
.brand { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; }
.brand p { margin: 0; color: var(--muted); }
.scan { margin-top: .75rem; }
.scan h2 { font-size: 1rem; margin: 0 0 .35rem; padding: 0; border: 0; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.75rem; margin: 0; }
.facts div { min-width: 8rem; }
.facts dt { font-size: .8rem; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.incomplete { margin: .5rem 0 0; padding-left: 1.25rem; }
.alert { margin: .5rem 0 0; padding: .5rem .75rem; border-left: 4px solid var(--warning); background: var(--bg); }
.alert.failed { border-left-color: var(--blocker); }

nav.sections { border-bottom: 1px solid var(--soft-line); }
nav.sections ul { list-style: none; display: flex; flex-wrap: wrap; gap: .1rem 1rem; margin: 0; padding: .4rem 0; }
nav.sections a { display: inline-block; padding: .2rem 0; }

.badge, .status { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-size: .8rem; font-weight: 700; color: #fff; white-space: nowrap; }
.badge-blocker { background: var(--blocker); }
.badge-warning { background: var(--warning); }
.badge-info { background: var(--info); }
.state { font-size: .8rem; font-weight: 700; white-space: nowrap; }
.state-new, .state-reopened { padding: .05rem .45rem; border: 1px solid currentColor; border-radius: .25rem; }
.status-succeeded { background: var(--ok); }
.status-partial { background: var(--warning); }
.status-failed { background: var(--blocker); }
.status-running { background: var(--info); }
.status-none { background: var(--neutral); }

.cards { list-style: none; display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: .75rem; margin: 0; padding: 0; }
.card { background: var(--panel); border: 1px solid var(--soft-line); border-top: 4px solid var(--line); border-radius: .35rem; padding: .6rem .75rem; }
.card-blocker { border-top-color: var(--blocker); }
.card-warning { border-top-color: var(--warning); }
.card-info { border-top-color: var(--info); }
.card-overdue { border-top-color: var(--blocker); border-top-width: 6px; }
.card-link { display: block; color: inherit; text-decoration: none; }
.card-link:hover .card-label { text-decoration: underline; }
.active-filters { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .75rem; margin: .5rem 0; }
.chips { list-style: none; display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; }
.chip { border: 1px solid var(--line); border-radius: 1rem; padding: .1rem .6rem; background: var(--panel); overflow-wrap: anywhere; }
.chip a { margin-left: .4rem; }
.quick { display: flex; flex-wrap: wrap; gap: .25rem 2rem; margin: .25rem 0 .5rem; }
.quick ul { list-style: none; display: flex; flex-wrap: wrap; gap: .1rem .9rem; margin: 0; padding: 0; }
.pager { display: flex; gap: 1.5rem; margin: .5rem 0 1rem; font-weight: 600; }
.why { font-style: italic; }
.view-banner { margin: 1rem 0 0; padding: .5rem .75rem; border-left: 4px solid var(--focus); background: var(--panel); overflow-wrap: anywhere; }
.ask { margin-top: .25rem; }
.card-value { display: block; font-size: 1.75rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card-label { display: block; }
.card button { margin-top: .35rem; }

.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 1rem 2rem; }
.chart { min-width: 0; margin: 0; }
.ranked { list-style: none; margin: 0; padding: 0; }
.ranked li { display: grid; grid-template-columns: 4.5rem 1fr; gap: .5rem; padding: .3rem 0; border-top: 1px solid var(--soft-line); overflow-wrap: anywhere; }
.ranked li:first-child { border-top: 0; }
.rank-count { font-weight: 700; font-variant-numeric: tabular-nums; text-align: right; color: var(--blocker); }
.rank-group .rank-count { font-weight: 600; color: var(--muted); }
.next { background: var(--panel); border-left: 4px solid var(--info); padding: .5rem .75rem; margin: .5rem 0 .75rem; }
.next ul { margin: .25rem 0 0; padding-left: 1.1rem; }

.timeline { list-style: none; display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 9.5rem), 1fr)); gap: .75rem; margin: 0; padding: 0; counter-reset: stage; }
.stage { background: var(--panel); border: 1px solid var(--soft-line); border-top: 4px solid var(--line); border-radius: .35rem; padding: .6rem .75rem; min-width: 0; }
/* What is coming first; the long-past retirements after it, across the whole width, in columns. */
.stage-overdue { border-top-color: var(--blocker); grid-column: 1 / -1; order: 1; }
.stage-overdue ul { columns: 17rem; column-gap: 1.5rem; }
.stage-overdue li { break-inside: avoid; }
.stage .sub + a.sub, .stage a.sub { display: inline; margin-right: .6rem; }
.stage-due-7, .stage-due-30 { border-top-color: var(--warning); }
.stage-due-90, .stage-due-180 { border-top-color: var(--info); }
.stage-count { font-size: 1.5rem; font-weight: 700; line-height: 1.2; margin: 0; }
.stage ul { margin: .35rem 0 0; padding-left: 1.1rem; font-size: .88rem; }
.stage li { margin: .3rem 0; overflow-wrap: anywhere; }
.owner { display: block; }

.trend svg { display: block; width: 100%; height: 90px; background: var(--panel); border: 1px solid var(--soft-line); border-radius: .35rem; }
.trend .line-open { fill: none; stroke: var(--line-open); stroke-width: 2.5; }
.trend .line-blocker { fill: none; stroke: var(--line-blocker); stroke-width: 2; stroke-dasharray: 6 4; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .35rem 0 0; padding: 0; list-style: none; font-size: .9rem; }
.key { display: inline-block; width: 1.5rem; height: 0; vertical-align: middle; margin-right: .35rem; border-top: 3px solid var(--line-open); }
.key-blocker { border-top: 3px dashed var(--line-blocker); }

.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); gap: .6rem 1rem; align-items: end; margin: .5rem 0; }
.field label { display: block; font-size: .85rem; font-weight: 600; margin-bottom: .15rem; }
.field input, .field select { width: 100%; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: .25rem; padding: .35rem .45rem; min-height: 2.4rem; }
.field-search { grid-column: 1 / -1; max-width: 36rem; }
button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: .25rem; padding: .35rem .8rem; min-height: 2.4rem; cursor: pointer; }
button:hover { background: var(--panel); }
.count { font-weight: 600; margin: .5rem 0; }
.cap { padding: .5rem .75rem; border-left: 4px solid var(--info); background: var(--panel); }

.table-wrap { overflow-x: auto; border: 1px solid var(--soft-line); border-radius: .35rem; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.findings { min-width: 74rem; }
.findings .c-severity { width: 5.75rem; } .findings .c-state { width: 6.75rem; } .findings .c-rule { width: 11rem; }
.findings .c-resource { width: 10rem; } .findings .c-subscription { width: 9rem; } .findings .c-group { width: 7.5rem; }
.findings .c-owners { width: 10rem; } .findings .c-deadline { width: 6.75rem; }
.subs { min-width: 44rem; }
caption { text-align: left; font-weight: 600; padding: .45rem .6rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-top: 1px solid var(--soft-line); overflow-wrap: anywhere; }
thead th { background: var(--panel); border-top: 0; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sub { display: block; font-weight: normal; font-size: .78rem; color: var(--muted); }
.message { min-width: 16rem; }
.empty { padding: .75rem 1rem; background: var(--panel); border-radius: .35rem; }

footer { margin-top: 2.5rem; padding: 1rem 0 2rem; border-top: 1px solid var(--soft-line); font-size: .85rem; color: var(--muted); }
footer a { color: var(--link); }

@media (max-width: 40rem) {
  body { font-size: 14px; }
  h1 { font-size: 1.35rem; }
  .card-value { font-size: 1.45rem; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
}
@media print {
  nav.sections, .filters, .skip, .quick, .pager { display: none; }
  .table-wrap { overflow: visible; border: 0; }
  .findings, .subs { min-width: 0; }
}
`;
