import { isCompletion, type HistoryEvent } from "../../history/history.ts";
import { describeEvent, laneGroups, markOf, type TickMark, type TimelineMark } from "./event-kinds.ts";

/** One bucket of the charts: completions whose time falls in [t, t + width). */
export interface Bucket {
  /** Start of the bucket, seconds since the history began. */
  t: number;
  ok: number;
  failed: number;
  /** Outcome unknown (timeouts). */
  unknown: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Segment {
  from: number;
  to: number;
  state: string;
  color: string | null;
  /** The event's description, for the tooltip. */
  title: string;
}
export interface Lane {
  group: TimelineMark["group"];
  /** The lane's identity (an alert with all its labels) and what the reader sees. */
  name: string;
  label: string;
  segments: Segment[];
  ticks: { t: number; label: string; color: string; shape: NonNullable<TickMark["shape"]> }[];
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Seconds the history spans (its last event). */
export function historySpan(history: readonly HistoryEvent[]): number {
  let last = 0;
  for (const e of history) if (e.time > last) last = e.time;
  return last / 1000;
}

/** Throughput, errors and latency percentiles per bucket (1 s by default; wider for long runs). */
export function buckets(history: readonly HistoryEvent[], widthSeconds = 1): Bucket[] {
  const span = historySpan(history);
  const n = Math.max(1, Math.ceil(span / widthSeconds));
  const out: (Bucket & { lat: number[] })[] = Array.from({ length: n }, (_, i) => ({
    t: i * widthSeconds,
    ok: 0,
    failed: 0,
    unknown: 0,
    p50Ms: null,
    p99Ms: null,
    lat: [],
  }));
  for (const e of history) {
    if (!isCompletion(e)) continue;
    const b = out[Math.min(n - 1, Math.floor(e.time / 1000 / widthSeconds))]!;
    if (e.type === "ok") {
      b.ok++;
      b.lat.push(e.latencyMs);
    } else if (e.type === "fail") b.failed++;
    else b.unknown++;
  }
  return out.map(({ lat, ...b }) => {
    lat.sort((x, y) => x - y);
    return { ...b, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) };
  });
}

/**
 * The timeline's lanes: each state lasts until the lane's next change, or to the end of the history.
 * `extra` are ticks from outside the history (the consistency checker's anomalies), at history ms.
 */
export function lanes(
  history: readonly HistoryEvent[],
  extra: readonly { time: number; mark: TickMark }[] = [],
): Lane[] {
  const end = historySpan(history);
  const byName = new Map<string, Lane>();
  const laneOf = (m: TimelineMark) => {
    let lane = byName.get(m.lane);
    if (!lane) {
      lane = { group: m.group, name: m.lane, label: m.laneLabel ?? m.lane, segments: [], ticks: [] };
      byName.set(m.lane, lane);
    }
    return lane;
  };
  const tick = (time: number, m: TickMark) => {
    const t = time / 1000;
    const label = `${m.label} at ${t.toFixed(1)} s${m.detail ? `: ${m.detail}` : ""}`;
    laneOf(m).ticks.push({ t, label, color: m.color, shape: m.shape ?? "diamond" });
  };
  for (const e of history) {
    const m = markOf(e);
    if (!m) continue;
    if (m.kind === "tick") {
      tick(e.time, m);
      continue;
    }
    const lane = laneOf(m);
    const t = e.time / 1000;
    const open = lane.segments.at(-1);
    if (open && open.to === Infinity) {
      if (open.state === m.state) continue; // a repeated sample of the same state
      open.to = t;
    }
    lane.segments.push({ from: t, to: Infinity, state: m.state, color: m.color, title: describeEvent(e) });
  }
  for (const x of extra) tick(x.time, x.mark);
  const result = [...byName.values()];
  for (const l of result) for (const s of l.segments) if (s.to === Infinity) s.to = end;
  const order = (l: Lane) => laneGroups.indexOf(l.group);
  return result.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
}

/** Fault windows (inject → heal; unhealed ones run to the end), for shading every chart. */
export function faultWindows(
  history: readonly HistoryEvent[],
): { fault: string; from: number; to: number }[] {
  const end = historySpan(history);
  const open = new Map<string, number>();
  const out: { fault: string; from: number; to: number }[] = [];
  for (const e of history) {
    if (e.type !== "fault") continue;
    if (e.phase === "inject") open.set(e.fault, e.time / 1000);
    // Only a heal ends the window: an `effect` is seen while the fault is still on.
    else if (e.phase === "heal" && open.has(e.fault)) {
      out.push({ fault: e.fault, from: open.get(e.fault)!, to: e.time / 1000 });
      open.delete(e.fault);
    }
  }
  for (const [fault, from] of open) out.push({ fault, from, to: end });
  return out;
}
