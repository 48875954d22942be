import { afterEach, describe, expect, it } from "vitest";
import { HistoryRecorder } from "../history/history-file.ts";
import type { ProbeEvent } from "../history/history.ts";
import type { ReceiverClient } from "../probes/receiver-client.ts";
import { AlertWatcher, type AlertSource } from "./alert-watcher.ts";

/** A source that answers or fails as the test's script says, poll by poll. */
function scripted(outcomes: boolean[], error: string) {
  let i = 0;
  return () => {
    const ok = outcomes[Math.min(i++, outcomes.length - 1)];
    return ok ? Promise.resolve([]) : Promise.reject(new Error(error));
  };
}

describe("AlertWatcher records whether it could see", () => {
  let history: HistoryRecorder;
  afterEach(() => history?.close());

  it("writes a probe event per source on its first poll and on every change, never in between", async () => {
    history = new HistoryRecorder("t");
    const prometheus: AlertSource = {
      source: "prometheus",
      active: scripted([true, false, false, true, true], "connect ECONNREFUSED 127.0.0.1:9090"),
    };
    const receiver = {
      deliveries: scripted([true, true, true, false, true], "receiver /deliveries answered 502"),
    } as unknown as ReceiverClient;
    const watcher = new AlertWatcher({ history, receiver, sources: [prometheus] });
    for (let i = 0; i < 5; i++) await watcher.sync();

    const probes = history.events
      .filter((e): e is ProbeEvent => e.type === "probe")
      .map(({ source, ok, error }) => ({ source, ok, ...(error ? { error } : {}) }));
    expect(probes).toEqual([
      { source: "prometheus", ok: true },
      { source: "receiver", ok: true },
      { source: "prometheus", ok: false, error: "connect ECONNREFUSED 127.0.0.1:9090" },
      { source: "prometheus", ok: true },
      { source: "receiver", ok: false, error: "receiver /deliveries answered 502" },
      { source: "receiver", ok: true },
    ]);
    // The last error is still kept for the drill's warning line.
    expect(watcher.lastError).toBe("receiver: receiver /deliveries answered 502");
  });

  it("dates an error from when the request went out, not from when it gave up", async () => {
    history = new HistoryRecorder("t");
    const slow: AlertSource = {
      source: "prometheus",
      active: () => new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 300)),
    };
    const receiver = { deliveries: () => Promise.resolve([]) } as unknown as ReceiverClient;
    const asked = history.now();
    await new AlertWatcher({ history, receiver, sources: [slow] }).sync();
    const failed = history.events.find((e): e is ProbeEvent => e.type === "probe" && !e.ok)!;
    expect(failed.time - asked).toBeLessThan(100);
  });
});

describe("AlertWatcher polls one at a time", () => {
  it("never runs two polls at once, whether the timer or sync() asks", async () => {
    const history = new HistoryRecorder("t");
    let inFlight = 0;
    let most = 0;
    const slow: AlertSource = {
      source: "prometheus",
      active: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        return [];
      },
    };
    const receiver = { deliveries: () => Promise.resolve([]) } as unknown as ReceiverClient;
    const watcher = new AlertWatcher({ history, receiver, sources: [slow], intervalMs: 1 }).start();
    await Promise.all([
      watcher.sync(),
      watcher.sync(),
      new Promise((r) => setTimeout(r, 100)),
      watcher.sync(),
    ]);
    await watcher.stop();
    await history.close();
    expect(watcher.polls).toBeGreaterThan(3);
    expect(most).toBe(1);
  });
});
