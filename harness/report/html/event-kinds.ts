import type { Anomaly } from "../../checkers/consistency/anomalies.ts";
import type { HistoryEvent } from "../../history/history.ts";

export type EventKind = HistoryEvent["type"];
export type EventOf<K extends EventKind> = Extract<HistoryEvent, { type: K }>;

/**
 * The timeline's lane groups, in the order they are drawn top to bottom. `anomaly` is the
 * consistency checker's, not the history's: its examples marked where they became visible.
 */
export const laneGroups = [
  "fault",
  "haproxy",
  "replication",
  "alert",
  "notification",
  "probe",
  "anomaly",
] as const;
export type LaneGroup = (typeof laneGroups)[number];

/**
 * Where an event goes on a drill's timeline: a state change of a lane (the state lasts until the
 * lane's next change; `color: null` draws nothing, e.g. a healed fault) or a single tick.
 */
export type TimelineMark = { group: LaneGroup; lane: string; laneLabel?: string } & (
  | { kind: "state"; state: string; color: string | null }
  // `anomaly`: drawn apart from the events' diamonds, so a finding never reads as something that happened.
  // `detail` follows the time in the tooltip (a long explanation must not hide when it was).
  | { kind: "tick"; label: string; color: string; shape?: "diamond" | "anomaly"; detail?: string }
);
export type TickMark = Extract<TimelineMark, { kind: "tick" }>;

export interface EventRenderer<E> {
  /** One line for a person (tooltips, the event list). */
  describe(e: E): string;
  /** Its mark on the timeline, or null when the kind is drawn elsewhere (operations are charted). */
  mark(e: E): TimelineMark | null;
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .filter(([k]) => k !== "alertname" && k !== "severity")
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

/** The labels that tell alerts apart to a reader: the node when there is one, else the rest. */
const shortLabels = (labels: Record<string, string>) =>
  labels.node
    ? `node=${labels.node}`
    : labelText(Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "job")));

const opText = (e: EventOf<"invoke" | "ok" | "fail" | "info">) =>
  `process ${e.process} ${e.op} ${JSON.stringify(e.value)}`;

export const COLORS = {
  bad: "#d64545",
  warn: "#e0a030",
  good: "#3c9a5f",
  info: "#4a78c2",
  fault: "#8a4fbf",
  muted: "#9aa3ad",
} as const;

function serverColor(state: string): string | null {
  const s = state.toUpperCase();
  if (s === "UP") return COLORS.good;
  if (s.startsWith("DOWN") || s === "MAINT" || s === "STOPPED") return COLORS.bad;
  return COLORS.warn;
}

/**
 * One renderer per history event kind. The mapped type makes this table exhaustive: adding a kind
 * to `HistoryEvent` without saying how the report shows it fails `tsc`.
 */
export const eventRenderers: { [K in EventKind]: EventRenderer<EventOf<K>> } = {
  start: {
    describe: (e) => `history of ${e.runId} began at ${e.wallClock}`,
    mark: () => null,
  },
  invoke: { describe: (e) => `invoke ${opText(e)}`, mark: () => null },
  ok: { describe: (e) => `ok ${opText(e)} on ${e.node ?? "?"} in ${e.latencyMs} ms`, mark: () => null },
  fail: { describe: (e) => `fail ${opText(e)}: ${e.error}`, mark: () => null },
  info: { describe: (e) => `info (outcome unknown) ${opText(e)}: ${e.error}`, mark: () => null },
  fault: {
    describe: (e) =>
      e.phase === "effect"
        ? `effect of ${e.fault} seen: ${e.detail ?? ""}`
        : `${e.phase} ${e.fault}${e.effect ? ` (must show: ${e.effect})` : ""}${e.detail ? ` (${e.detail})` : ""}`,
    mark: (e) =>
      e.phase === "effect"
        ? {
            group: "fault",
            lane: `fault ${e.fault}`,
            kind: "tick",
            label: "effect seen",
            color: COLORS.fault,
          }
        : {
            group: "fault",
            lane: `fault ${e.fault}`,
            kind: "state",
            state: e.phase === "inject" ? "injected" : "healed",
            color: e.phase === "inject" ? COLORS.fault : null,
          },
  },
  repair: {
    describe: (e) => `operator's repair: ${e.what}`,
    mark: (e) => ({ group: "fault", lane: "repairs", kind: "tick", label: e.what, color: COLORS.info }),
  },
  drop: {
    describe: () => "arrival dropped: the generator's concurrency cap was reached",
    // Drops are counted in the error chart, like failed requests.
    mark: () => null,
  },
  probe: {
    describe: (e) => `${e.source} ${e.ok ? "reachable" : `unreachable: ${e.error ?? "?"}`}`,
    mark: (e) =>
      e.ok
        ? { group: "probe", lane: `watching ${e.source}`, kind: "state", state: "reachable", color: null }
        : {
            group: "probe",
            lane: `watching ${e.source}`,
            kind: "state",
            state: `unreachable: ${e.error ?? "?"}`,
            color: COLORS.bad,
          },
  },
  alert: {
    describe: (e) => `alert ${e.name} {${labelText(e.labels)}} ${e.state} (${e.source})`,
    mark: (e) => ({
      group: "alert",
      lane: `${e.source === "grafana" ? "grafana " : ""}${e.name}${labelText(e.labels) ? ` {${labelText(e.labels)}}` : ""}`,
      laneLabel: `${e.source === "grafana" ? "grafana " : ""}${e.name}${shortLabels(e.labels) ? ` ${shortLabels(e.labels)}` : ""}`,
      kind: "state",
      state: e.state,
      color: e.state === "firing" ? COLORS.bad : e.state === "pending" ? COLORS.warn : null,
    }),
  },
  notification: {
    describe: (e) =>
      `${e.source} notification ${e.status}: ${e.alerts.map((a) => `${a.name} {${labelText(a.labels)}} ${a.status}`).join("; ")}`,
    mark: (e) => ({
      group: "notification",
      lane: `notifications (${e.source})`,
      kind: "tick",
      label: `${e.status}: ${e.alerts.map((a) => a.name).join(", ")}`,
      color: e.status === "firing" ? COLORS.bad : COLORS.good,
    }),
  },
  "server-state": {
    describe: (e) => `HAProxy server ${e.server} is ${e.state}`,
    mark: (e) => ({
      group: "haproxy",
      lane: `haproxy ${e.server}`,
      kind: "state",
      state: e.state,
      color: serverColor(e.state),
    }),
  },
  "replication-state": {
    describe: (e) =>
      `${e.node} replication: IO ${e.io}, SQL ${e.sql ? "running" : "stopped"}${e.lastErrno ? `, error ${e.lastErrno}: ${e.lastError ?? ""}` : ""}`,
    mark: (e) => ({
      group: "replication",
      lane: `replication ${e.node}`,
      kind: "state",
      state: `IO ${e.io}, SQL ${e.sql ? "Yes" : "No"}${e.lastErrno ? ` (error ${e.lastErrno})` : ""}`,
      color: e.io === "Yes" && e.sql ? COLORS.good : !e.sql || e.lastErrno ? COLORS.bad : COLORS.warn,
    }),
  },
};

/** Dispatch through the table (the cast is sound: the table is keyed by the same `type`). */
export function describeEvent(e: HistoryEvent): string {
  return (eventRenderers[e.type] as EventRenderer<HistoryEvent>).describe(e);
}

export function markOf(e: HistoryEvent): TimelineMark | null {
  return (eventRenderers[e.type] as EventRenderer<HistoryEvent>).mark(e);
}

/**
 * A consistency anomaly's mark: one lane per kind (the lane's name is its legend), at the time the
 * anomaly became visible (the read that shows it), its tooltip naming the kind, the key and what happened.
 */
export function anomalyMark(a: Anomaly): { time: number; mark: TickMark } {
  return {
    time: a.at,
    mark: {
      group: "anomaly",
      lane: `consistency anomaly ${a.kind}`,
      laneLabel: `anomaly: ${a.kind}`,
      kind: "tick",
      label: `${a.kind} on ${a.key}`,
      detail: a.message,
      color: COLORS.bad,
      shape: "anomaly",
    },
  };
}
