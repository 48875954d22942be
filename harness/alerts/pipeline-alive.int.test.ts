import { afterEach, describe, expect } from "vitest";
import { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import { PrometheusClient } from "../probes/prometheus-client.ts";
import { ReceiverClient } from "../probes/receiver-client.ts";
import { labTest } from "../testing/lab-fixture.ts";
import { waitUntil } from "../util/wait-until.ts";
import { AlertWatcher, prometheusSource } from "./alert-watcher.ts";
import { assertAlerts, expectAlert, type AlertOutcome } from "./expect-alert.ts";
import { pipelineAlive, WATCHDOG_MAX_GAP_SECONDS } from "./pipeline-alive.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PIPELINE = /^alert pipeline proven alive/;
const UNKNOWN = /^unknown: alert pipeline not proven alive: /;
// One hardened lab for the file (a cold start gets 180 s).
const it = labTest("hardened", 180_000);

// The Watchdog end to end on a running hardened lab: alive while healthy, and not alive, with the
// evidence, once its webhook goes dead (Alertmanager frozen) or Prometheus stops. In the last two a
// quiet alert must come out unknown, never passed. The cases run in order and break the lab as they go.
describe("the alert pipeline's liveness against a running lab", () => {
  let history: HistoryRecorder | undefined;
  let watcher: AlertWatcher | undefined;

  afterEach(async () => {
    await watcher?.stop();
    await history?.close();
  });

  /** A fresh history and watcher, with its first poll done: the window starts after it. */
  async function watch(lab: Lab) {
    history = new HistoryRecorder(lab.runId);
    watcher = new AlertWatcher({
      history,
      receiver: new ReceiverClient(lab.endpoints.receiver.url),
      sources: [prometheusSource(new PrometheusClient(lab.endpoints.prometheus.url))],
    }).start();
    await watcher.sync();
    return { history, watcher };
  }

  const judgeQuiet = (w: { history: HistoryRecorder; watcher: AlertWatcher }, faultAt: number) =>
    assertAlerts([expectAlert("AppInstanceDown").staysQuiet()], {
      ...w,
      faultAt,
      grafanaSkipped: "no Grafana here",
    });
  const line = (o: AlertOutcome, re: RegExp) => o.expectations.find((e) => re.test(e.description))!;

  it("a healthy lab: the pipeline is proven alive over a 10 s window, so quiet is quiet", async ({ lab }) => {
    const w = await watch(lab);
    // A lab just up: Alertmanager's first Watchdog notification may still be on its way.
    await waitUntil(
      "a first Watchdog notification",
      async () => {
        await w.watcher.sync();
        return (
          pipelineAlive(w.history.events, { from: 0, until: w.history.now(), maxGapSeconds: 15 })
            .lastNotificationAt ?? undefined
        );
      },
      { timeoutMs: 20_000 },
    );
    const from = w.history.now();
    await sleep(10_000);
    const o = await judgeQuiet(w, from);
    expect(line(o, PIPELINE), JSON.stringify(o.expectations)).toMatchObject({ met: true });
    expect(line(o, PIPELINE).detail).toMatch(
      /^Watchdog notified [1-3]× in 1\d\.\d s, longest gap [0-7]\.\d s/,
    );
    expect(o.expectations.every((e) => e.met)).toBe(true);
    expect(o.alerts[0]).toMatchObject({ alert: "AppInstanceDown", met: true, detail: "did not fire" });
  }, 60_000);

  it("a dead webhook (Alertmanager frozen): not alive, the quiet alert unknown, after waiting one bound", async ({
    lab,
  }) => {
    const w = await watch(lab);
    await lab.container("alertmanager").pause();
    try {
      const from = w.history.now();
      const t0 = performance.now();
      const o = await judgeQuiet(w, from);
      const waited = (performance.now() - t0) / 1000;
      // No notification in the window yet could be Alertmanager's cadence: it waits up to the bound.
      expect(waited).toBeGreaterThan(WATCHDOG_MAX_GAP_SECONDS - 1);
      expect(waited).toBeLessThan(WATCHDOG_MAX_GAP_SECONDS + 5);
      expect(line(o, PIPELINE)).toMatchObject({ met: false });
      expect(line(o, PIPELINE).detail).toMatch(
        /^no Watchdog notification in 1[5-9]\.\d s \(the last at -?\d+\.\d s; bound 15 s\)$/,
      );
      expect(line(o, /stays quiet$/)).toMatchObject({
        met: false,
        detail: expect.stringMatching(UNKNOWN) as unknown,
      });
      expect(line(o, /^no unexpected/)).toMatchObject({
        met: false,
        detail: expect.stringMatching(UNKNOWN) as unknown,
      });
    } finally {
      await lab.container("alertmanager").unpause();
    }
  }, 60_000);

  it("Prometheus stopped: not alive at once, and the probe says why", async ({ lab }) => {
    const w = await watch(lab);
    await lab.container("prometheus").stop({ t: 1 });
    const from = w.history.now();
    const t0 = performance.now();
    const o = await judgeQuiet(w, from);
    // Unreachable is final for the window: no waiting for a notification that could not prove anything.
    expect((performance.now() - t0) / 1000).toBeLessThan(3);
    expect(line(o, PIPELINE)).toMatchObject({ met: false });
    expect(line(o, PIPELINE).detail).toMatch(/^prometheus unreachable from \d+\.\d s: /);
    expect(line(o, /stays quiet$/).detail).toMatch(UNKNOWN);
    expect(
      pipelineAlive(w.history.events, { from, until: w.history.now(), maxGapSeconds: 15 }).unreachable,
    ).toMatchObject({ source: "prometheus" });
  }, 60_000);
});
