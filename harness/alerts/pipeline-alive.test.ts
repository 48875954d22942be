import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/history.ts";
import { pipelineAlive, pipelineExpectation, WATCHDOG_MAX_GAP_SECONDS } from "./pipeline-alive.ts";
import {
  alivePipeline,
  isWatchdogNote,
  probe,
  watchdogAlert,
  watchdogNote,
} from "./pipeline-history.fixture.ts";

const window = { from: 10_000, until: 60_000, maxGapSeconds: 15 };
const judge = (h: readonly HistoryEvent[], w = window) => pipelineAlive(h, w);

describe("pipelineAlive", () => {
  it("is alive when the Watchdog fires, arrives every 5 s and every source answers", () => {
    const p = judge(alivePipeline());
    expect(p).toMatchObject({ alive: true, notifications: 10, lastNotificationAt: 57_000, waitable: false });
    expect(p.longestGapSeconds).toBe(5);
    expect(p.evidence).toBe(
      "Watchdog notified 10× in 50.0 s, longest gap 5.0 s (bound 15 s); prometheus and receiver reachable",
    );
  });

  it("planted dead webhook: no Watchdog notification at all is not alive, and says none ever came", () => {
    const p = judge(alivePipeline().filter((e) => !isWatchdogNote(e)));
    expect(p).toMatchObject({ alive: false, notifications: 0, lastNotificationAt: null, waitable: false });
    expect(p.evidence).toBe("no Watchdog notification in 50.0 s (none ever; bound 15 s)");
  });

  it("planted gap: 25 s without a Watchdog notification inside the window is longer than the bound", () => {
    const gap = alivePipeline().filter((e) => !(isWatchdogNote(e) && e.time > 20_000 && e.time < 40_000));
    const p = judge(gap);
    expect(p.alive).toBe(false);
    expect(p.longestGapSeconds).toBe(25);
    expect(p.evidence).toBe("no Watchdog notification for 25.0 s after one at 17.0 s (bound 15 s)");
    // The same gap before the window does not count against it.
    expect(judge(gap, { ...window, from: 42_000 }).alive).toBe(true);
  });

  it("counts the stretch from the window's start to the first notification and from the last to its end", () => {
    const late = alivePipeline().filter((e) => !(isWatchdogNote(e) && e.time < 30_000));
    expect(judge(late).evidence).toBe(
      "no Watchdog notification for 22.0 s after the window began at 10.0 s (bound 15 s)",
    );
    const stopped = alivePipeline().filter((e) => !(isWatchdogNote(e) && e.time > 40_000));
    expect(judge(stopped).evidence).toBe(
      "no Watchdog notification for 23.0 s after one at 37.0 s (bound 15 s)",
    );
    expect(judge(stopped).lastNotificationAt).toBe(37_000);
  });

  it("a window shorter than the bound with no notification yet may still be proven: waitable", () => {
    const h = alivePipeline().filter((e) => !(isWatchdogNote(e) && e.time > 40_000));
    const p = judge(h, { from: 43_000, until: 46_000, maxGapSeconds: 15 });
    expect(p).toMatchObject({ alive: false, waitable: true });
    expect(p.evidence).toBe("no Watchdog notification in 3.0 s (the last at 37.0 s; bound 15 s)");
    expect(judge(h, { from: 43_000, until: 58_500, maxGapSeconds: 15 }).waitable).toBe(false);
  });

  it("planted: Prometheus unreachable for part of the window is not alive, with its error", () => {
    const err = "connect ECONNREFUSED 127.0.0.1:9090";
    const h = [
      ...alivePipeline(),
      probe("prometheus", false, 25_000, err),
      probe("prometheus", true, 30_000),
    ];
    const p = judge(h);
    expect(p.alive).toBe(false);
    expect(p.unreachable).toEqual({ source: "prometheus", error: err, since: 25_000 });
    expect(p.evidence).toBe(`prometheus unreachable from 25.0 s: ${err}`);
    // Unreachable before the window and back before it began: the window itself was watched.
    expect(judge(h, { ...window, from: 31_000 }).alive).toBe(true);
    // Unreachable when the window began: not alive from its first instant.
    expect(judge(h, { ...window, from: 27_000 }).unreachable).toMatchObject({ since: 27_000 });
  });

  it("planted: the receiver unreachable is not alive (nothing could have seen a notification)", () => {
    const h = [...alivePipeline(), probe("receiver", false, 40_000, "receiver /deliveries answered 502")];
    const p = judge(h);
    expect(p.alive).toBe(false);
    expect(p.evidence).toBe("receiver unreachable from 40.0 s: receiver /deliveries answered 502");
  });

  it("is not alive when the Watchdog was never seen firing, or resolved in the window", () => {
    const never = alivePipeline().filter((e) => e.type !== "alert");
    expect(judge(never).evidence).toBe("Watchdog never seen firing in Prometheus");
    const resolved = judge([...alivePipeline(), watchdogAlert("resolved", 33_000)]);
    expect(resolved).toMatchObject({ alive: false, watchdogFiring: false });
    expect(resolved.evidence).toBe("Watchdog resolved in Prometheus at 33.0 s");
  });

  it("a history without probe events (the watcher recorded nothing) proves nothing", () => {
    const p = judge(alivePipeline().filter((e) => e.type !== "probe"));
    expect(p.alive).toBe(false);
    expect(p.evidence).toContain("prometheus's reachability: never probed");
    const late = alivePipeline().map((e) =>
      e.type === "probe" && e.source === "receiver" ? { ...e, time: 12_000 } : e,
    );
    expect(judge(late).evidence).toBe(
      "receiver's reachability: first probed at 12.0 s, after the window began at 10.0 s",
    );
  });

  it("counts Grafana only where it was watched, and other observers' probes not at all", () => {
    const grafanaDown = [
      ...alivePipeline(),
      probe("grafana", true, 7),
      probe("grafana", false, 20_000, "503"),
    ];
    expect(judge(grafanaDown).evidence).toBe("grafana unreachable from 20.0 s: 503");
    const dbDown = [...alivePipeline(), probe("node1-db", false, 20_000, "crashed on purpose")];
    expect(judge(dbDown).alive).toBe(true);
  });

  it("reads the events in time order, whatever order they were appended in", () => {
    const h = alivePipeline();
    expect(judge([...h].reverse())).toEqual(judge(h));
  });

  it("ignores other notifications: only Alertmanager's firing Watchdog counts", () => {
    const others = alivePipeline().map((e) =>
      isWatchdogNote(e) && e.type === "notification"
        ? { ...e, alerts: [{ name: "AppInstanceDown", labels: {}, status: "firing" as const }] }
        : e,
    );
    expect(judge(others).notifications).toBe(0);
    const grafana = [...alivePipeline().filter((e) => !isWatchdogNote(e)), { ...watchdogNote(30_000) }].map(
      (e) => (e.type === "notification" ? { ...e, source: "grafana" as const } : e),
    );
    expect(judge(grafana).notifications).toBe(0);
  });

  it("its expectation line states the bound and carries the evidence", () => {
    const p = judge(alivePipeline(), { ...window, maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS });
    expect(pipelineExpectation(p)).toEqual({
      id: "alert-pipeline-alive",
      description: `alert pipeline proven alive (Watchdog notified every ≤ ${WATCHDOG_MAX_GAP_SECONDS} s, Prometheus and the receiver reachable)`,
      met: true,
      detail: p.evidence,
    });
  });
});
