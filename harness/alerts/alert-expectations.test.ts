import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/history.ts";
import { judgeAlerts, judgementDeadline, wasFiring, type AlertSpec } from "./alert-expectations.ts";
import { pipelineAlive } from "./pipeline-alive.ts";
import { alivePipeline, isWatchdogNote, watchdogAlert } from "./pipeline-history.fixture.ts";

const start: HistoryEvent = { type: "start", time: 0, wallClock: "2026-11-25T00:00:00.000Z", runId: "t" };
const fault = (phase: "inject" | "heal", time: number): HistoryEvent => ({
  type: "fault",
  phase,
  fault: "crash node1",
  time,
});
const alert = (
  name: string,
  node: string,
  state: "pending" | "firing" | "resolved",
  time: number,
): HistoryEvent => ({
  type: "alert",
  source: "prometheus",
  name,
  labels: { node, severity: "critical" },
  state,
  time,
});
const note = (name: string, node: string, status: "firing" | "resolved", time: number): HistoryEvent => ({
  type: "notification",
  source: "alertmanager",
  status,
  alerts: [{ name, labels: { node }, status }],
  time,
});
const window = { faultAt: 10_000, healAt: 20_000, until: 60_000 };
const fires: AlertSpec = {
  name: "AppInstanceDown",
  labels: { node: "node1" },
  expect: "fires",
  firesWithin: 10,
  notifiedWithin: 15,
  resolvesWithin: 15,
};
const healthy: HistoryEvent[] = [
  start,
  fault("inject", 10_000),
  alert("AppInstanceDown", "node1", "pending", 11_000),
  alert("AppInstanceDown", "node1", "firing", 13_000),
  note("AppInstanceDown", "node1", "firing", 13_400),
  fault("heal", 20_000),
  alert("AppInstanceDown", "node1", "resolved", 22_000),
  note("AppInstanceDown", "node1", "resolved", 22_900),
];

describe("judgeAlerts", () => {
  it("times detect, notify and resolve from the fault and the heal", () => {
    const j = judgeAlerts(healthy, "prometheus", [fires], [], window);
    expect(j.results[0]).toMatchObject({
      detectSeconds: 3,
      notifySeconds: 3.4,
      resolveSeconds: 2.9,
      met: true,
    });
    expect(j.expectations.every((e) => e.met)).toBe(true);
  });

  it("fails an alert that fires after its budget (planted: firing 12 s after the fault)", () => {
    // A late alert notifies late too (a notification proves the alert fired by then).
    const late = healthy.map((e) =>
      (e.type === "alert" && e.state === "firing") || (e.type === "notification" && e.status === "firing")
        ? { ...e, time: 22_000 }
        : e,
    );
    const j = judgeAlerts(late, "prometheus", [fires], [], window);
    expect(j.results[0]!.met).toBe(false);
    expect(j.results[0]!.detail).toContain("fired after 12 s (budget 10 s)");
  });

  it("fails when no notification reaches the receiver (planted: Alertmanager silent)", () => {
    const silent = healthy.filter((e) => e.type !== "notification");
    const j = judgeAlerts(silent, "prometheus", [fires], [], window);
    expect(j.results[0]!.detail).toContain("no firing notification arrived");
    expect(j.results[0]!.detail).toContain("no resolved notification after the heal");
  });

  it("does not count another node's alert (planted: node2 fires, node1 expected)", () => {
    const other = healthy.map((e) =>
      e.type === "alert"
        ? { ...e, labels: { node: "node2" } }
        : e.type === "notification"
          ? { ...e, alerts: e.alerts.map((a) => ({ ...a, labels: { node: "node2" } })) }
          : e,
    );
    const j = judgeAlerts(other, "prometheus", [fires], [], window);
    expect(j.results[0]!.met).toBe(false);
    // …and node2's alert was not expected either.
    expect(j.expectations.at(-1)).toMatchObject({ met: false });
    expect(j.expectations.at(-1)!.detail).toContain("node=node2");
  });

  it("fails a stays-firing alert that resolved before the repair (planted)", () => {
    const spec: AlertSpec = { ...fires, expect: "fires-and-stays" };
    const early = [
      ...healthy.slice(0, 5),
      note("AppInstanceDown", "node1", "resolved", 16_000),
      ...healthy.slice(5),
    ];
    const j = judgeAlerts(early, "prometheus", [spec], [], window);
    expect(j.results[0]!.met).toBe(false);
    expect(j.results[0]!.detail).toContain("before the repair");
  });

  it("fails a quiet alert that fired, and passes it when it did not", () => {
    const quiet: AlertSpec = { name: "AppInstanceDown", expect: "quiet" };
    expect(judgeAlerts(healthy, "prometheus", [quiet], [], window).results[0]!.met).toBe(false);
    expect(
      judgeAlerts([start, fault("inject", 10_000)], "prometheus", [quiet], [], window).results[0]!.met,
    ).toBe(true);
  });

  it("reports unexpected alerts and tolerates allowed ones", () => {
    const extra = [...healthy, alert("ReplicationIOThreadStopped", "node2", "firing", 14_000)];
    const strict = judgeAlerts(extra, "prometheus", [fires], [], window);
    expect(strict.expectations.at(-1)).toMatchObject({
      description: "no unexpected prometheus alert fired",
      met: false,
    });
    const tolerant = judgeAlerts(
      extra,
      "prometheus",
      [fires],
      [{ name: "ReplicationIOThreadStopped" }],
      window,
    );
    expect(tolerant.expectations.at(-1)!.met).toBe(true);
  });

  it("ignores alerts that fired before the fault (they are not the fault's doing)", () => {
    const before = [start, alert("ScrapeTargetDown", "x", "firing", 1_000), ...healthy.slice(1)];
    expect(judgeAlerts(before, "prometheus", [fires], [], window).expectations.at(-1)!.met).toBe(true);
    expect(wasFiring(before, { name: "ScrapeTargetDown" })).toBe(true);
  });

  it("waits no longer than the largest budget", () => {
    expect(judgementDeadline([fires], window)).toBe(35_000);
    expect(judgementDeadline([{ name: "X", expect: "quiet" }], window)).toBe(10_000);
  });

  it("never counts the harness's Watchdog as unexpected, even when it (re)fires during the drill", () => {
    const refired = [...healthy, watchdogAlert("firing", 12_000)];
    expect(judgeAlerts(refired, "prometheus", [fires], [], window).expectations.at(-1)!.met).toBe(true);
  });
});

describe("judgeAlerts with the pipeline's liveness", () => {
  const quiet: AlertSpec = { name: "HighHTTP5xxRate", expect: "quiet" };
  const pipe = (h: readonly HistoryEvent[]) =>
    pipelineAlive(h, { from: window.faultAt, until: window.until, maxGapSeconds: 15 });
  const alive = [...alivePipeline(), ...healthy.slice(1)];
  const deadWebhook = alive.filter((e) => !isWatchdogNote(e));

  it("judges quiet alerts as before while the pipeline is proven alive", () => {
    const j = judgeAlerts(alive, "prometheus", [quiet, fires], [], window, pipe(alive));
    expect(j.results[0]).toMatchObject({ met: true, detail: "did not fire" });
    expect(j.expectations.every((e) => e.met)).toBe(true);
  });

  it("planted dead webhook: quiet and 'no unexpected alert' are unknown, never met", () => {
    const j = judgeAlerts(deadWebhook, "prometheus", [quiet, fires], [], window, pipe(deadWebhook));
    const unknown = /^unknown: alert pipeline not proven alive: no Watchdog notification in 50\.0 s/;
    expect(j.results[0]!.met).toBe(false);
    expect(j.results[0]!.detail).toMatch(unknown);
    expect(j.results[0]!.detail).toMatch(/; did not fire$/);
    expect(j.expectations[0]).toMatchObject({ description: "HighHTTP5xxRate stays quiet", met: false });
    expect(j.expectations.at(-1)).toMatchObject({
      description: "no unexpected prometheus alert fired",
      met: false,
    });
    expect(j.expectations.at(-1)!.detail).toMatch(unknown);
    // An alert that must fire is judged on what arrived, as before: here its own webhook made it.
    expect(j.results[1]).toMatchObject({ met: true, notifySeconds: 3.4 });
  });

  it("a quiet alert that fired still says so after the unknown", () => {
    const fired = deadWebhook.filter((e) => !isWatchdogNote(e));
    const j = judgeAlerts(
      fired,
      "prometheus",
      [{ name: "AppInstanceDown", expect: "quiet" }],
      [],
      window,
      pipe(fired),
    );
    expect(j.results[0]!.detail).toMatch(/^unknown: .*; fired 3 s after the fault$/);
  });
});
