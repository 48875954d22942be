import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../history/history.ts";
import { HistoryBuilder } from "../history-builder.ts";
import { checkSteadyState, type SteadyStateSpec } from "./steady-state.ts";

const running = (node: string, time = 50, io = "Yes"): HistoryEvent => ({
  type: "replication-state",
  node,
  io,
  sql: true,
  lastErrno: 0,
  time,
});
const watched = (time: number): HistoryEvent[] =>
  ["prometheus", "receiver"].map((source) => ({ type: "probe", source, ok: true, time }));
const watchdog = (time: number, state: "firing" | "resolved"): HistoryEvent => ({
  type: "alert",
  source: "prometheus",
  name: "Watchdog",
  labels: {},
  state,
  time,
});
const note = (time: number): HistoryEvent => ({
  type: "notification",
  source: "alertmanager",
  status: "firing",
  alerts: [{ name: "Watchdog", labels: {}, status: "firing" }],
  time,
});
const spec: SteadyStateSpec = {
  label: "before the fault",
  from: 0,
  until: 4000,
  minOk: 5,
  primary: "node1",
  replication: true,
};
const steady = () => {
  const h = new HistoryBuilder().okRun(100, 200, 10, "node1");
  h.events.push(running("node1"), running("node2"));
  return h;
};

describe("checkSteadyState", () => {
  it("holds when every operation succeeded on the primary and replication runs both ways", () => {
    expect(checkSteadyState(steady().events, spec)).toMatchObject({ valid: true, figures: { ok: 10 } });
  });

  it("catches a planted stack broken from the start: every new item answered 500", () => {
    const h = steady().op("add-item", { listId: 1, text: "x" }, 300, 320, "info", {}, "node1");
    const v = checkSteadyState(h.events, spec);
    expect(v.valid).toBe(false);
    expect(v.findings[0]!.message).toBe(
      "1 of 11 operation(s) before the fault did not succeed (first: timeout)",
    );
  });

  it("catches traffic served by the backup (node2 without `backup` takes half the writes)", () => {
    const h = steady().okRun(150, 200, 3, "node2");
    expect(checkSteadyState(h.events, spec).findings.map((f) => f.kind)).toEqual(["not-on-primary"]);
  });

  it("catches too few successes, drops, and a stopped replica", () => {
    const h = new HistoryBuilder().okRun(100, 200, 2, "node1");
    h.events.push(running("node1"), running("node2", 60, "Connecting"), { type: "drop", time: 500 });
    expect(checkSteadyState(h.events, spec).findings.map((f) => f.kind)).toEqual([
      "too-few-successes",
      "dropped",
      "replication-not-running",
    ]);
  });

  it("is unknown, never a pass, when replication was required and never sampled", () => {
    const v = checkSteadyState(new HistoryBuilder().okRun(100, 200, 10, "node1").events, spec);
    expect(v.valid).toBe("unknown");
  });

  it("with the alert pipeline required: a recent Watchdog notification and reachable watchers hold", () => {
    const h = steady();
    h.events.push(...watched(-2000), watchdog(-1000, "firing"), note(-900));
    const v = checkSteadyState(h.events, { ...spec, from: 0, alertPipeline: { maxGapSeconds: 15 } });
    expect(v.findings).toEqual([]);
  });

  it("catches a planted dead webhook: no Watchdog notification within the bound", () => {
    const h = steady();
    h.events.push(...watched(-2000), watchdog(-1000, "firing"), note(-30_000));
    const v = checkSteadyState(h.events, { ...spec, alertPipeline: { maxGapSeconds: 15 } });
    expect(v.findings.map((f) => f.kind)).toEqual(["alert-pipeline-dead"]);
    expect(v.findings[0]!.message).toMatch(
      /^alert pipeline not proven alive before the fault: no Watchdog notification/,
    );
  });

  it("does not blame a pipeline that has not had time to notify when something else already failed", () => {
    const h = steady().op("add-item", { listId: 1, text: "x" }, 300, 320, "fail", {}, "node1");
    h.events.push(...watched(-2000), watchdog(-1000, "firing"));
    const v = checkSteadyState(h.events, { ...spec, alertPipeline: { maxGapSeconds: 15 } });
    expect(v.findings.map((f) => f.kind)).toEqual(["failed-requests"]);
  });

  it("catches a planted stopped Prometheus: unreachable during the window", () => {
    const h = steady();
    h.events.push(...watched(-2000), watchdog(-1000, "firing"), note(-900), note(3500));
    h.events.push({ type: "probe", source: "prometheus", ok: false, error: "ECONNREFUSED", time: 2000 });
    const v = checkSteadyState(h.events, { ...spec, alertPipeline: { maxGapSeconds: 15 } });
    expect(v.findings[0]!.message).toContain("prometheus unreachable from 2.0 s: ECONNREFUSED");
  });

  it("leaves operations still in flight at the window's end to later checks", () => {
    const h = steady().op("add-item", { listId: 1, text: "x" }, 3900, 4500, "info", {}, "node1");
    expect(checkSteadyState(h.events, spec).valid).toBe(true);
  });

  it("judges the replica state at the window's end, not a later one", () => {
    const h = steady();
    h.events.push(running("node2", 5000, "No"));
    expect(checkSteadyState(h.events, spec).valid).toBe(true);
    expect(checkSteadyState(h.events, { ...spec, until: 6000 }).valid).toBe(false);
  });
});
