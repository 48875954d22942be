import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect } from "vitest";
import { parse } from "yaml";
import { harnessRulesDir } from "../config/cluster-config.ts";
import { killService } from "../faults/kinds/kill-service.ts";
import { withFault } from "../faults/with-fault.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import { pushHarnessMetrics } from "../metrics/harness-metrics.ts";
import { AlertmanagerClient } from "../probes/alertmanager-client.ts";
import { PrometheusClient } from "../probes/prometheus-client.ts";
import { ReceiverClient } from "../probes/receiver-client.ts";
import { resolveSettings } from "../settings/settings.ts";
import { labTest } from "../testing/lab-fixture.ts";
import { waitUntil } from "../util/wait-until.ts";
import { AlertWatcher, prometheusSource } from "./alert-watcher.ts";
import { assertAlerts, expectAlert } from "./expect-alert.ts";

// One hardened lab for the file (a cold start gets 180 s), and clients of its Prometheus and receiver.
const it = labTest("hardened", 180_000).extend<{ prometheus: PrometheusClient; receiver: ReceiverClient }>({
  prometheus: [
    async ({ lab }, use) => use(new PrometheusClient(lab.endpoints.prometheus.url)),
    { scope: "file" },
  ],
  receiver: [async ({ lab }, use) => use(new ReceiverClient(lab.endpoints.receiver.url)), { scope: "file" }],
});

// The alert path end to end on a running hardened lab: rules loaded, a real fault firing a real
// alert, Alertmanager's webhook reaching the receiver, resolution after the heal, and the harness's
// own metrics scraped by the lab's Prometheus.
describe("alerts against a running lab", () => {
  it("Prometheus loaded every alert rule of the profile, and the harness's Watchdog", async ({
    prometheus,
  }) => {
    const { clusterDir } = resolveSettings();
    const files = [
      path.join(clusterDir, "config/hardened/rules/alerts.yml"),
      path.join(harnessRulesDir(clusterDir), "watchdog.yml"),
    ];
    const expected = files
      .flatMap((file) => {
        const doc = parse(readFileSync(file, "utf8")) as { groups: { rules: { alert: string }[] }[] };
        return doc.groups.flatMap((g) => g.rules.map((r) => r.alert));
      })
      .sort();
    expect(expected).toContain("Watchdog");
    const loaded = await waitUntil(
      "rules loaded",
      async () => {
        const names = await prometheus.alertRuleNames();
        return names.length >= expected.length ? names : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect([...loaded].sort()).toEqual(expected);
  });

  it("a killed exporter fires ExporterScrapeFailing, notifies the receiver and resolves after the heal", async ({
    lab,
    prometheus,
    receiver,
  }) => {
    const history = new HistoryRecorder(lab.runId);
    const watcher = new AlertWatcher({ history, receiver, sources: [prometheusSource(prometheus)] }).start();
    // Its first poll records that Prometheus and the receiver answer: before it, nothing says they did.
    await watcher.sync();
    try {
      await withFault(lab, history, killService("node2-exporter"), async () => {
        // Seen in Alertmanager's own API too, not only at the receiver.
        await waitUntil(
          "Alertmanager holds ExporterScrapeFailing",
          async () => {
            const alerts = await new AlertmanagerClient(lab.endpoints.alertmanager.url).alerts();
            return alerts.some(
              (a) => a.labels.alertname === "ExporterScrapeFailing" && a.labels.node === "node2",
            )
              ? true
              : undefined;
          },
          { timeoutMs: 20_000 },
        );
      });
      const outcome = await assertAlerts(
        [
          expectAlert("ExporterScrapeFailing", { node: "node2" })
            .firesWithin(10)
            .notifiedWithin(15)
            .resolvesWithin(15),
          // Planted: node1's exporter was never touched, so this expectation must fail.
          expectAlert("ExporterScrapeFailing", { node: "node1" }).firesWithin(10),
        ],
        { watcher, history, grafanaSkipped: "no Grafana here" },
      );
      const [node2, node1] = outcome.alerts;
      expect(node2, JSON.stringify(outcome.alerts)).toMatchObject({ met: true });
      expect(node2!.detectSeconds).toBeGreaterThan(0);
      expect(node2!.detectSeconds).toBeLessThanOrEqual(10);
      expect(node2!.resolveSeconds).not.toBeNull();
      expect(node1).toMatchObject({ met: false, detectSeconds: null });
      // The Watchdog kept arriving all through the fault: what would make a quiet alert trustworthy.
      const pipeline = outcome.expectations.find((e) =>
        e.description.startsWith("alert pipeline proven alive"),
      );
      expect(pipeline, pipeline?.detail).toMatchObject({ met: true });
      expect(
        outcome.alerts.filter((a) => a.source === "grafana").every((a) => a.skipped === "no Grafana here"),
      ).toBe(true);
      const deliveries = await receiver.deliveries();
      expect(deliveries.some((d) => d.source === "alertmanager" && d.payload.status === "resolved")).toBe(
        true,
      );
    } finally {
      await watcher.stop();
      await history.close();
    }
  }, 90_000);

  it("the harness's own metrics reach the lab's Prometheus through the receiver", async ({
    lab,
    prometheus,
    receiver,
  }) => {
    const history = new HistoryRecorder(lab.runId);
    const pusher = pushHarnessMetrics(history, receiver, 500);
    try {
      history.append({
        type: "invoke",
        process: 1,
        op: "read-item",
        value: { itemId: 1 },
        time: history.now(),
      });
      history.append({
        type: "ok",
        process: 1,
        op: "read-item",
        value: { itemId: 1 },
        time: history.now(),
        latencyMs: 12,
      });
      history.fault("inject", "planted fault");
      const samples = await waitUntil(
        "firedrill_client_requests_total and firedrill_fault_active in Prometheus",
        async () => {
          const [req, fault] = await Promise.all([
            prometheus.query('firedrill_client_requests_total{job="firedrill",op="read-item",outcome="ok"}'),
            prometheus.query('firedrill_fault_active{fault="planted fault"}'),
          ]);
          return req.length && fault.length ? { req, fault } : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(samples.req[0]!.value).toBe(1);
      expect(samples.fault[0]!.value).toBe(1);
      expect(pusher.lastError()).toBeUndefined();
    } finally {
      await pusher.stop();
      await history.close();
    }
  }, 60_000);
});
