import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { HistoryEvent } from "../history/history.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { ReceiverClient } from "../probes/receiver-client.ts";
import { describe } from "../util/errors.ts";

/** Each metric's name, help and labels; HarnessMetrics registers them on its own registry only. */
const specs = {
  requests: {
    name: "firedrill_client_requests_total",
    help: "Operations the harness completed, by operation and outcome (ok, fail, info = unknown).",
    labelNames: ["op", "outcome"] as const,
  },
  errors: {
    name: "firedrill_client_errors_total",
    help: "Operations that did not succeed (fail or info), by operation.",
    labelNames: ["op"] as const,
  },
  latency: {
    name: "firedrill_client_request_duration_seconds",
    help: "Latency the harness measured per operation.",
    labelNames: ["op"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  faultActive: {
    name: "firedrill_fault_active",
    help: "1 while the named fault is injected, 0 after its heal.",
    labelNames: ["fault"] as const,
  },
};

/**
 * The harness's client-side view as Prometheus metrics: request rate, latency and errors as the
 * client saw them, and a gauge per active fault. Derived from the history (every completed operation
 * and fault event), so they agree with what the checkers judge; pushed each second to the lab's
 * receiver, which the lab's Prometheus scrapes as job "firedrill".
 */
export class HarnessMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ ...specs.requests, registers: [this.registry] });
  private readonly errors = new Counter({ ...specs.errors, registers: [this.registry] });
  private readonly latency = new Histogram({ ...specs.latency, registers: [this.registry] });
  private readonly faultActive = new Gauge({ ...specs.faultActive, registers: [this.registry] });

  observe(e: HistoryEvent): void {
    if (e.type === "ok" || e.type === "fail" || e.type === "info") {
      this.requests.inc({ op: e.op, outcome: e.type });
      if (e.type !== "ok") this.errors.inc({ op: e.op });
      this.latency.observe({ op: e.op }, e.latencyMs / 1000);
    } else if (e.type === "fault") {
      this.faultActive.set({ fault: e.fault }, e.phase === "inject" ? 1 : 0);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface MetricsPusher {
  metrics: HarnessMetrics;
  stop(): Promise<void>;
  /** Why the last push failed (kept for the report, not swallowed). */
  lastError(): string | undefined;
}

/** Subscribes to a history and pushes the metrics to the receiver every `intervalMs` until stopped. */
export function pushHarnessMetrics(
  history: HistoryRecorder,
  receiver: ReceiverClient,
  intervalMs = 1000,
): MetricsPusher {
  const metrics = new HarnessMetrics();
  const unsubscribe = history.subscribe((e) => metrics.observe(e));
  let lastError: string | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const push = () =>
    (inFlight = metrics
      .text()
      .then((t) => receiver.putHarnessMetrics(t))
      .then(() => {
        lastError = undefined;
      })
      .catch((err: unknown) => {
        lastError = describe(err);
      }));
  const timer = setInterval(() => void push(), intervalMs);
  return {
    metrics,
    lastError: () => lastError,
    async stop() {
      clearInterval(timer);
      unsubscribe();
      await inFlight;
      await push();
    },
  };
}
