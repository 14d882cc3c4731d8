/** The report's stylesheet, inlined into the file (the page loads nothing else). */
export const REPORT_CSS = `
:root { --fg: #1a202c; --dim: #5a6472; --line: #e2e6ec; --band: #cfe3f5; --band-edge: #7fa9d1; --bad: #b42318; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg);
  margin: 0 auto; padding: 16px 24px 40px; max-width: 1500px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 12px 0 6px; }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; }
.sub, .dim, .summary, .title, .legend { color: var(--dim); }
.sub { font-size: 12.5px; margin: 0; }
table { border-collapse: collapse; }
table.ladder { width: 100%; }
table.ladder thead th { position: sticky; top: 0; background: #fff; z-index: 1; border-bottom: 1px solid var(--line);
  text-align: left; font-weight: 600; padding: 4px 8px; vertical-align: bottom; }
table.ladder th.axis-head { padding: 4px 0; }
tr.model th { text-align: left; padding: 14px 8px 4px; border-bottom: 1px solid var(--line); font-weight: normal; }
.model-title { font-weight: 700; font-size: 15px; margin-right: 6px; }
.summary { font-size: 12.5px; }
tr.bench > th { text-align: left; font-weight: normal; padding: 3px 8px; white-space: nowrap; vertical-align: top; }
tr.bench > th .title { display: block; font-size: 12px; white-space: normal; max-width: 210px; }
tr.bench td { padding: 3px 8px; vertical-align: top; border-bottom: 1px solid #f2f4f7; }
td.ladder { padding: 3px 0 !important; }
td.reference { white-space: nowrap; color: var(--dim); font-size: 12.5px; }
td.figure { font-size: 12.5px; min-width: 200px; }
td.figure .line, td.figure .spread { white-space: nowrap; }
td.skipped .line { white-space: normal; max-width: 320px; }
td.figure > span { display: block; }
td.figure .verdict { margin-left: 6px; }
.median { font-weight: 600; font-variant-numeric: tabular-nums; font-size: 13.5px; }
.spread, .note, .why { color: var(--dim); font-size: 12px; }
.note { font-style: italic; max-width: 320px; }
.verdict { font-size: 12px; }
.disagrees { color: var(--bad); font-weight: 600; }
td.skipped { color: var(--dim); }
td.absent { color: #a0a8b4; }
svg.strip, svg.axis { display: block; }
svg .grid { stroke: #eef1f4; stroke-width: 1; }
svg .grid.major { stroke: #d7dce3; }
svg .band { fill: var(--band); stroke: var(--band-edge); stroke-width: 1; }
svg .band-tick { stroke: var(--band-edge); stroke-width: 1.5; }
svg .whisker { stroke-width: 1.6; fill: none; }
svg .gap { stroke-width: 1.2; stroke-dasharray: 3 3; opacity: 0.8; }
svg .point { stroke: #fff; stroke-width: 1.2; }
svg .point.noisy { stroke-width: 2; }
svg.axis text { font-size: 11px; fill: var(--dim); }
svg.axis text.major { fill: var(--fg); font-weight: 600; }
.legend { font-size: 12.5px; margin: 0 0 6px; }
.key { display: inline-block; vertical-align: middle; margin: 0 4px 0 12px; }
.key:first-child { margin-left: 0; }
.key.band { width: 26px; height: 12px; background: var(--band); border: 1px solid var(--band-edge); border-radius: 3px; }
.key.dot { width: 10px; height: 10px; border-radius: 50%; background: #0072b2; }
.key.whisker { width: 26px; height: 8px; border: solid #0072b2; border-width: 0 2px; background: linear-gradient(#0072b2, #0072b2) center/100% 2px no-repeat; }
.key.hollow { width: 10px; height: 10px; border-radius: 50%; border: 2px solid #0072b2; background: #fff; }
.key.gap { width: 26px; border-top: 2px dashed #0072b2; }
th.run { white-space: nowrap; }
th.run .sub { display: block; font-weight: normal; max-width: 240px; overflow: hidden; text-overflow: ellipsis; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
table.ratios th, table.ratios td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); font-weight: normal; }
table.ratios thead th { font-weight: 600; }
#folklore li { margin: 4px 0; max-width: 1000px; }
.hosts { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 16px; }
.host { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 10px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 2px 24px; margin: 6px 0; font-size: 13px; }
dl.facts > div, dl.nested > div { display: grid; grid-template-columns: 7.5em 1fr; gap: 0 10px; }
dl.nested > div { grid-template-columns: max-content 1fr; }
dl.facts > div.wide { grid-column: 1 / -1; }
dt { color: var(--dim); }
dd { margin: 0; overflow-wrap: anywhere; }
dl.nested { margin: 0; }
.noisy { color: var(--bad); font-weight: 600; }
.noisy.banner { border: 1px solid var(--bad); border-radius: 6px; padding: 6px 10px; background: #fff4f2; }
.differs { background: #fff3bf; border-radius: 2px; padding: 0 2px; }
.noisy-row { color: #9a3412; font-size: 12px; max-width: 330px; display: -webkit-box !important; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
h4 { font-size: 13px; margin: 10px 0 2px; color: var(--dim); font-weight: 600; }
.noisy-mark { color: #9a3412; font-size: 12px; }
.quiet { color: #2f7d4f; }
details summary { cursor: pointer; color: var(--dim); font-size: 13px; }
footer { margin-top: 32px; color: var(--dim); font-size: 12px; }
`;
