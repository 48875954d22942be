import type { Anomaly } from "../../checkers/consistency/anomalies.ts";
import { isCompletion, type HistoryEvent } from "../../history/history.ts";
import { anomalyMark, COLORS } from "./event-kinds.ts";
import { html, type SafeHtml } from "./html.ts";
import { fmt } from "../../util/format.ts";
import { buckets, faultWindows, historySpan, lanes, type Bucket, type Lane } from "./series.ts";

const W = 1000;
const LEFT = 230;
const RIGHT = 12;
const LANE_H = 14;
const LANE_GAP = 4;
const CHART_H = 70;

interface Scale {
  span: number;
  x(t: number): number;
}

function scale(span: number): Scale {
  const s = Math.max(span, 1);
  return { span: s, x: (t) => LEFT + (Math.min(Math.max(t, 0), s) / s) * (W - LEFT - RIGHT) };
}

const r1 = (n: number) => Math.round(n * 10) / 10;

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
}

function xAxis(sc: Scale, y: number, height: number): SafeHtml {
  const step = niceStep(sc.span, 10);
  const ticks: number[] = [];
  for (let t = 0; t <= sc.span + 1e-9; t += step) ticks.push(t);
  return html`<g class="axis"
    >${ticks.map(
      (t) =>
        html`<line x1="${r1(sc.x(t))}" x2="${r1(sc.x(t))}" y1="${y - height}" y2="${y}" class="grid" /><text
            x="${r1(sc.x(t))}"
            y="${y + 11}"
            text-anchor="middle"
            >${fmt(t)} s</text
          >`,
    )}</g
  >`;
}

function shade(sc: Scale, windows: { fault: string; from: number; to: number }[], y: number, h: number) {
  return windows.map(
    (w) =>
      html`<rect
        class="fault-window"
        x="${r1(sc.x(w.from))}"
        y="${y}"
        width="${r1(Math.max(1, sc.x(w.to) - sc.x(w.from)))}"
        height="${h}"
        ><title>${w.fault}: ${fmt(w.from)} s → ${fmt(w.to)} s</title></rect
      >`,
  );
}

/**
 * A tick: the events' diamond, or an anomaly's circled cross (a finding about the data, not
 * something that happened to the cluster, so it must not look like one).
 */
function tickMark(sc: Scale, t: Lane["ticks"][number], y: number): SafeHtml {
  const x = r1(sc.x(t.t));
  if (t.shape === "anomaly")
    return html`<g class="anomaly-mark"
      ><circle cx="${x}" cy="${y + LANE_H / 2}" r="${LANE_H / 2 - 1}" fill="${t.color}" /><path
        d="M${r1(x - 3)} ${y + LANE_H / 2 - 3} l6 6 m0 -6 l-6 6"
        stroke="#fff"
        stroke-width="1.5"
      /><title>${t.label}</title></g
    >`;
  return html`<path d="M${x} ${y} l4 ${LANE_H / 2} l-4 ${LANE_H / 2} l-4 -${LANE_H / 2} z" fill="${t.color}"
    ><title>${t.label}</title></path
  >`;
}

/** The lanes of faults, HAProxy server states, replication threads, alerts, notifications and anomalies. */
function laneRows(sc: Scale, history: readonly HistoryEvent[], anomalies: readonly Anomaly[], top: number) {
  const ls = lanes(history, anomalies.map(anomalyMark));
  const rows = ls.map((lane, i) => {
    const y = top + i * (LANE_H + LANE_GAP);
    return html`<g class="lane" data-group="${lane.group}"
      ><text class="lane-name" x="${LEFT - 6}" y="${y + LANE_H - 3}" text-anchor="end"
        >${lane.label.length > 34 ? `${lane.label.slice(0, 33)}…` : lane.label}<title>
          ${lane.name}
        </title></text
      ><line
        class="lane-base"
        x1="${LEFT}"
        x2="${W - RIGHT}"
        y1="${y + LANE_H / 2}"
        y2="${y + LANE_H / 2}"
      />${lane.segments
        .filter((s) => s.color !== null)
        .map(
          (s) =>
            html`<rect
              x="${r1(sc.x(s.from))}"
              y="${y}"
              width="${r1(Math.max(1.5, sc.x(s.to) - sc.x(s.from)))}"
              height="${LANE_H}"
              fill="${s.color}"
              rx="2"
              ><title>${s.state} from ${fmt(s.from)} s to ${fmt(s.to)} s — ${s.title}</title></rect
            >`,
        )}${lane.segments
        .filter((s) => s.color !== null && sc.x(s.to) - sc.x(s.from) > 60)
        .map(
          (s) =>
            html`<text class="seg-label" x="${r1(sc.x(s.from) + 3)}" y="${y + LANE_H - 3}">${s.state}</text>`,
        )}${lane.ticks.map((t) => tickMark(sc, t, y))}</g
    >`;
  });
  return { svg: rows, height: ls.length * (LANE_H + LANE_GAP) };
}

interface LineSpec {
  name: string;
  color: string;
  value: (b: Bucket) => number | null;
}

/** What every chart of one timeline shares: the time scale, the buckets and the fault windows. */
interface ChartFrame {
  sc: Scale;
  data: Bucket[];
  /** Each bucket's width in seconds. */
  width: number;
  windows: { fault: string; from: number; to: number }[];
}

function chart(
  { sc, data, width, windows }: ChartFrame,
  top: number,
  title: string,
  unit: string,
  lines: LineSpec[],
): SafeHtml {
  const values = data.flatMap((b) => lines.map((l) => l.value(b))).filter((v): v is number => v !== null);
  const max = Math.max(1e-9, ...values) * 1.1;
  const y = (v: number) => top + CHART_H - (v / max) * CHART_H;
  const paths = lines.map((l) => {
    let d = "";
    let pen = false;
    for (const b of data) {
      const v = l.value(b);
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${r1(sc.x(b.t + width / 2))} ${r1(y(v))}`;
      pen = true;
    }
    return html`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"
      ><title>${l.name}</title></path
    >`;
  });
  const legend = lines.map(
    (l, i) =>
      html`<rect x="${8}" y="${top + 22 + i * 13}" width="10" height="3" fill="${l.color}" /><text
          x="22"
          y="${top + 26 + i * 13}"
          >${l.name}</text
        >`,
  );
  return html`<g class="chart" data-chart="${title}"
    ><text class="chart-title" x="8" y="${top + 10}">${title}</text
    ><text class="chart-max" x="${LEFT - 6}" y="${top + 10}" text-anchor="end">${fmt(max / 1.1)} ${unit}</text
    ><text class="chart-max" x="${LEFT - 6}" y="${top + CHART_H}" text-anchor="end">0</text>${legend}<rect
      class="chart-bg"
      x="${LEFT}"
      y="${top}"
      width="${W - LEFT - RIGHT}"
      height="${CHART_H}"
    />${shade(sc, windows, top, CHART_H)}${paths}</g
  >`;
}

/**
 * One drill's timeline as inline SVG: the event lanes on top, then throughput, error rate and
 * latency percentiles on the same time axis, with every fault window shaded. `interrupted` draws a
 * dashed line where the history stops: the run ended there, not the drill. `anomalies` (the
 * consistency checker's examples) get a lane per kind, each marked where it became visible.
 */
export function timelineSvg(
  history: readonly HistoryEvent[],
  id: string,
  { interrupted = false, anomalies = [] }: { interrupted?: boolean; anomalies?: readonly Anomaly[] } = {},
): SafeHtml {
  const span = historySpan(history);
  const sc = scale(span);
  const width = Math.max(1, Math.ceil(span / 300));
  const data = buckets(history, width);
  const windows = faultWindows(history);
  const top = 6;
  const rows = laneRows(sc, history, anomalies, top);
  let y = top + rows.height + 8;
  const hasOps = history.some(isCompletion);
  const frame: ChartFrame = { sc, data, width, windows };
  const charts = !hasOps
    ? []
    : [
        chart(frame, y, "throughput", "ops/s", [
          { name: "ok / s", color: COLORS.good, value: (b) => b.ok / width },
          { name: "failed / s", color: COLORS.bad, value: (b) => b.failed / width },
          { name: "unknown / s", color: COLORS.warn, value: (b) => b.unknown / width },
        ]),
        chart(frame, (y += CHART_H + 12), "error rate", "%", [
          {
            name: "not ok %",
            color: COLORS.bad,
            value: (b) => {
              const n = b.ok + b.failed + b.unknown;
              return n === 0 ? null : ((b.failed + b.unknown) / n) * 100;
            },
          },
        ]),
        chart(frame, (y += CHART_H + 12), "latency", "ms", [
          { name: "p50", color: COLORS.info, value: (b) => b.p50Ms },
          { name: "p99", color: COLORS.fault, value: (b) => b.p99Ms },
        ]),
      ];
  if (hasOps) y += CHART_H;
  else y = Math.max(y, top + 20);
  const height = y + 18;
  return html`<svg
    class="timeline"
    id="${id}"
    viewBox="0 0 ${W} ${height}"
    width="100%"
    role="img"
    aria-label="timeline"
  >
    ${shade(sc, windows, top, rows.height)}${rows.svg}${charts}${xAxis(sc, y, y - top)}${
      interrupted
        ? html`<line
            class="interrupted-at"
            x1="${r1(sc.x(span))}"
            x2="${r1(sc.x(span))}"
            y1="${top}"
            y2="${y}"
            ><title>the history ends at ${fmt(span)} s: the run was interrupted here</title></line
          >`
        : ""
    }
  </svg>`;
}
