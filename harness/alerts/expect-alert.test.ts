import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/history.ts";
import { assertAlerts, expectAlert, type AssertAlertsOptions } from "./expect-alert.ts";
import { alivePipeline, isWatchdogNote, probe, watchdogNote } from "./pipeline-history.fixture.ts";

const fault = (phase: "inject" | "heal", time: number): HistoryEvent => ({
  type: "fault",
  phase,
  fault: "crash node1",
  time,
});
const alert = (
  source: "prometheus" | "grafana",
  state: "firing" | "resolved",
  time: number,
): HistoryEvent => ({
  type: "alert",
  source,
  name: "AppInstanceDown",
  labels: { node: "node1" },
  state,
  time,
});
const note = (
  source: "alertmanager" | "grafana",
  status: "firing" | "resolved",
  time: number,
): HistoryEvent => ({
  type: "notification",
  source,
  status,
  alerts: [{ name: "AppInstanceDown", labels: { node: "node1" }, status }],
  time,
});

/** A saved run, judged after the fact: its clock stands at `now`, and a sync adds nothing. */
function saved(events: HistoryEvent[], now = 60_000, extra: Partial<AssertAlertsOptions> = {}) {
  return {
    watcher: { sync: () => Promise.resolve() },
    history: { events, now: () => now },
    grafanaSkipped: "no Grafana here",
    ...extra,
  };
}

const crash = [fault("inject", 10_000), fault("heal", 20_000)];
const prometheusSaw = [
  alert("prometheus", "firing", 13_000),
  note("alertmanager", "firing", 13_400),
  alert("prometheus", "resolved", 22_000),
  note("alertmanager", "resolved", 22_900),
];
const fires = () => expectAlert("AppInstanceDown", { node: "node1" }).firesWithin(10).resolvesWithin(15);
const quiet = () => expectAlert("HighHTTP5xxRate").staysQuiet();
const PIPELINE =
  "alert pipeline proven alive (Watchdog notified every ≤ 15 s, Prometheus and the receiver reachable)";

describe("assertAlerts and the alert pipeline's liveness", () => {
  it("adds the pipeline line, met, and trusts quiet alerts on a pipeline proven alive", async () => {
    const o = await assertAlerts([fires(), quiet()], saved([...alivePipeline(), ...crash, ...prometheusSaw]));
    expect(o.expectations.map((e) => [e.description, e.met])).toEqual([
      ['AppInstanceDown{node="node1"} fires ≤ 10 s, resolves ≤ 15 s after heal', true],
      ["HighHTTP5xxRate stays quiet", true],
      ["no unexpected prometheus alert fired", true],
      [PIPELINE, true],
    ]);
  });

  it("planted dead webhook: every quiet line is unknown and the pipeline line fails", async () => {
    const dead = [...alivePipeline(), ...crash, ...prometheusSaw].filter((e) => !isWatchdogNote(e));
    const o = await assertAlerts([fires(), quiet()], saved(dead));
    const unknown = "unknown: alert pipeline not proven alive: no Watchdog notification in 50.0 s";
    const byName = Object.fromEntries(o.expectations.map((e) => [e.description, e]));
    expect(byName["HighHTTP5xxRate stays quiet"]!.met).toBe(false);
    expect(byName["HighHTTP5xxRate stays quiet"]!.detail).toMatch(new RegExp(`^${unknown}`));
    expect(byName["no unexpected prometheus alert fired"]!.met).toBe(false);
    expect(byName[PIPELINE]).toMatchObject({ met: false });
    expect(o.alerts.find((a) => a.alert === "HighHTTP5xxRate" && a.source === "prometheus")).toMatchObject({
      met: false,
      detail: expect.stringMatching(new RegExp(`^${unknown}`)) as unknown,
    });
  });

  it("planted: Prometheus unreachable during the drill makes the quiet lines unknown", async () => {
    const h = [
      ...alivePipeline(),
      ...crash,
      probe("prometheus", false, 15_000, "connect ECONNREFUSED"),
      probe("prometheus", true, 19_000),
    ];
    const o = await assertAlerts([quiet()], saved(h));
    expect(o.expectations[0]!.detail).toBe(
      "unknown: alert pipeline not proven alive: prometheus unreachable from 15.0 s: connect ECONNREFUSED; did not fire",
    );
    expect(o.expectations.at(-1)).toMatchObject({ description: PIPELINE, met: false });
  });

  it("waits for the next Watchdog notification when the window is shorter than the bound", async () => {
    const events = alivePipeline(40_000);
    const t0 = performance.now();
    let syncs = 0;
    const o = await assertAlerts([quiet()], {
      // A live run: its clock moves, and the third poll brings the next Watchdog notification.
      watcher: {
        sync: () => {
          if (++syncs === 3) events.push(watchdogNote(50_000 + (performance.now() - t0)));
          return Promise.resolve();
        },
      },
      history: { events, now: () => 50_000 + (performance.now() - t0) },
      faultAt: 49_000,
      grafanaSkipped: "no Grafana here",
    });
    expect(o.expectations.map((e) => e.met)).toEqual([true, true, true]);
    expect(syncs).toBeGreaterThanOrEqual(3);
  });

  it("gives up once the bound has passed without a notification (a live run with a dead webhook)", async () => {
    const events = alivePipeline(40_000);
    const t0 = performance.now();
    const o = await assertAlerts([quiet()], {
      watcher: { sync: () => Promise.resolve() },
      history: { events, now: () => 50_000 + (performance.now() - t0) },
      faultAt: 49_500,
      grafanaSkipped: "no Grafana here",
      watchdogMaxGapSeconds: 1,
    });
    const waited = performance.now() - t0;
    expect(o.expectations.at(-1)).toMatchObject({ met: false });
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(3000);
  });
});

describe("assertAlerts where Grafana runs", () => {
  const grafanaRuns = (events: HistoryEvent[]) => saved(events, 60_000, { grafanaSkipped: undefined });
  const base = [...alivePipeline(), probe("grafana", true, 7), ...crash, ...prometheusSaw];

  it("planted: Grafana's twin never fired, so its expectation fails the drill (it was dropped before)", async () => {
    const o = await assertAlerts([fires(), quiet()], grafanaRuns(base));
    const grafana = o.expectations.filter((e) => e.description.startsWith("Grafana: "));
    expect(grafana.map((e) => [e.description, e.met])).toEqual([
      ['Grafana: AppInstanceDown{node="node1"} fires ≤ 30 s, resolves ≤ 35 s after heal', false],
      ["Grafana: HighHTTP5xxRate stays quiet", true],
      ["Grafana: no unexpected grafana alert fired", true],
    ]);
    expect(grafana[0]!.detail).toContain("never fired");
    expect(o.alerts.filter((a) => a.source === "grafana").map((a) => a.met)).toEqual([false, true]);
  });

  it("passes Grafana's lines where its twin fired, notified and resolved within Grafana's budgets", async () => {
    const twin = [
      alert("grafana", "firing", 25_000),
      note("grafana", "firing", 25_500),
      note("grafana", "resolved", 40_000),
    ];
    const o = await assertAlerts([fires(), quiet()], grafanaRuns([...base, ...twin]));
    expect(o.expectations.every((e) => e.met)).toBe(true);
    expect(o.expectations.filter((e) => e.description.startsWith("Grafana: "))).toHaveLength(3);
  });

  it("Grafana unreachable during the drill: its quiet line and the pipeline are not proven", async () => {
    const o = await assertAlerts([quiet()], grafanaRuns([...base, probe("grafana", false, 30_000, "502")]));
    expect(
      o.expectations.find((e) => e.description === "Grafana: HighHTTP5xxRate stays quiet"),
    ).toMatchObject({
      met: false,
      detail: expect.stringContaining("grafana unreachable from 30.0 s: 502") as unknown,
    });
  });

  it("where Grafana cannot run, no Grafana line is judged and its rows say skipped", async () => {
    const o = await assertAlerts([fires()], saved(base));
    expect(o.expectations.some((e) => e.description.startsWith("Grafana"))).toBe(false);
    expect(o.alerts.filter((a) => a.source === "grafana")).toEqual([
      expect.objectContaining({ met: false, skipped: "no Grafana here" }),
    ]);
  });
});
