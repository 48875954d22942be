import { reanalyze } from "../reanalyze.ts";
import type { RunArtifacts } from "../../store/run-folder.ts";
import type { DrillVerdict } from "../../store/drill-result.ts";
import { anchor, html, trusted, type SafeHtml } from "./html.ts";
import { drillSection } from "./drill-section.ts";
import { environmentSection } from "./environment-section.ts";
import { verdictTable } from "./verdict-table.ts";

const CSS = `
:root { --bad:#d64545; --good:#3c9a5f; --warn:#e0a030; --muted:#6b7480; --line:#d9dee4; --interrupted:#3f4a5a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2329; background: #f6f7f9; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 16px 0 6px; } h5 { margin: 8px 0 2px; font-size: 12px; }
small, .note, .detail { color: var(--muted); }
section.drill { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 6px; padding: 14px 16px; margin: 14px 0; }
section.verdict-pass { border-left-color: var(--good); } section.verdict-fail { border-left-color: var(--bad); } section.verdict-skipped { border-left-color: var(--warn); }
section.verdict-interrupted { border-left: 5px dashed var(--interrupted); }
table { border-collapse: collapse; background: #fff; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; }
.badge.pass { background: var(--good); } .badge.fail { background: var(--bad); } .badge.skipped { background: var(--warn); }
.badge.interrupted { background: var(--interrupted); }
p.reason.interrupted { border: 1px dashed var(--interrupted); background: #eef0f3; color: #1d2329; padding: 6px 8px; }
li.unhealed { color: var(--bad); } svg .interrupted-at { stroke: var(--interrupted); stroke-width: 2; stroke-dasharray: 5 3; }
.reason { color: #5b4a16; } .verdicts .reason { display: block; font-size: 12px; max-width: 420px; }
tr.unmet td, li.unmet { color: var(--bad); } tr.disagrees td { background: #fdf1e0; }
ul.expectations { list-style: none; padding-left: 4px; } li.met .mark { color: var(--good); } li.unmet .mark { color: var(--bad); }
pre { background: #f2f4f6; border: 1px solid var(--line); padding: 6px 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: 12px; margin: 4px 0; }
pre.crash { border-color: var(--bad); }
svg.timeline { background: #fff; border: 1px solid var(--line); border-radius: 4px; font-size: 10px; }
svg .lane-name, svg .chart-title { fill: #1d2329; } svg .chart-title { font-weight: 600; font-size: 11px; }
svg .chart-max, svg .axis text { fill: var(--muted); }
svg .lane-base { stroke: #e6e9ed; } svg .grid { stroke: #eef0f2; } svg .chart-bg { fill: none; stroke: var(--line); }
svg .fault-window { fill: #8a4fbf; fill-opacity: .09; } svg .seg-label { fill: #fff; font-size: 9px; pointer-events: none; }
details.logs { margin: 6px 0; } details.logs summary { cursor: pointer; }
details.anomaly-examples { margin: 6px 0; } details.anomaly-examples summary { cursor: pointer; }
ol > li.anomaly-example { margin-bottom: 8px; } li.anomaly-example p { margin: 2px 0; }
p.cycle { font-family: ui-monospace, monospace; font-size: 12px; } table.anomaly-ops { font-size: 12px; }
table.anomalies tbody th { font-weight: 600; white-space: nowrap; } td.models { font-size: 12px; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; } dl.env dt { color: var(--muted); } dl.env dd { margin: 0; }
nav a { margin-right: 10px; }
.badge.not-run { background: var(--muted); }
table.schedule-timeline { table-layout: fixed; margin-bottom: 12px; }
table.schedule-timeline caption { text-align: left; font-weight: 600; padding: 2px 0 4px; }
table.schedule-timeline col.st-name { width: 13em; } table.schedule-timeline col.st-when { width: 11em; }
table.schedule-timeline th { font-weight: normal; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.st-track { position: relative; height: 16px; }
.st-bar { position: absolute; top: 1px; bottom: 1px; min-width: 2px; background: #8a4fbf; border: 1px solid #4f2475; border-radius: 2px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table.schedule-timeline[data-schedule="minimal"] .st-bar { background: var(--bad); border-color: #7a1f1f; }
.st-axis { border-top: 1px solid var(--muted); font-size: 10px; color: var(--muted); }
.st-tick { position: absolute; top: 1px; transform: translateX(-50%); }
ul.findings { margin: 4px 0 0; padding-left: 16px; font-size: 12px; }
@media print { section.explore-shrink, table.schedule-timeline { break-inside: avoid; } }
`;

export interface PageInput {
  run: RunArtifacts;
  generatedAt: string;
}

/** The whole report: one self-contained HTML file (inline CSS and SVG, no script, no network). */
export function renderPage({ run, generatedAt }: PageInput): SafeHtml {
  const results = run.drills.map((d) => d.result);
  const count = (v: DrillVerdict) => results.filter((r) => r.verdict === v).length;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        />
        <title>firedrill ${run.runId}</title>
        <style>
          ${trusted(CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>firedrill run ${run.runId}</h1>
          <p>
            ${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped,
            ${count("interrupted")} interrupted · generated ${generatedAt} ·
            <a href="summary.json">summary.json</a> · <a href="summary.md">summary.md</a>
          </p>
          <nav>
            ${results.map((r) => html`<a href="#${anchor(r.drill, r.profile)}">${r.drill} (${r.profile})</a>`)}<a
              href="#environment"
              >environment</a
            >
          </nav>
        </header>
        <main>
          <h2>Verdicts</h2>
          ${verdictTable(results)}
          <p class="note">
            Seconds. Failover: fault → first success on the standby. Converged: after the heal and the last
            write. Detect / notify / resolve: the slowest of the drill's alerts (fault → firing, fault →
            webhook received, heal → resolved webhook). Anomalies: the consistency checker's, every kind
            counted; models: the strongest consistency models the history is still consistent with (each
            drill's Consistency block says which it is not). Skipped is never passed; interrupted (the run
            ended before the drill finished) has no verdict and is never passed either.
          </p>
          <h2>Drills</h2>
          ${run.drills.map((d) => drillSection(d, reanalyze(d)))} ${environmentSection(run)}
        </main>
      </body>
    </html> `;
}
