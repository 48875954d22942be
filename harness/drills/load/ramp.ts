import { operations, type HistoryEvent } from "../../history/history.ts";
import { frontendResponses } from "../../probes/haproxy-metrics.ts";
import { percentile } from "../../util/percentile.ts";
import { runWorkload } from "../../workload/workload.ts";
import type { DrillContext } from "../context.ts";

// load-haproxy's ramp and hold: the steps, the bounds a good step keeps, and how one is measured.

export const RAMP = {
  /** The arrival rates of the ramp's steps, ops/s. */
  steps: [25, 50, 100, 200, 300, 400, 600],
  stepSeconds: 4,
  holdSeconds: 10,
  maxErrorRate: 0.01,
  /** One latency bound for the ramp's good steps and the hold alike. */
  maxP99Ms: 500,
  /** How often a missed hold backs off to the next good step. */
  maxHoldBackoffs: 2,
  /**
   * Requests in flight at most: at 200 ops/s and 300 ms latency 60 are in flight, so 64 made the
   * client drop arrivals before the lab refused any; 128 leaves the limit to the lab.
   */
  concurrency: 128,
} as const;

export interface StepStats {
  rate: number;
  sent: number;
  errors: number;
  p99: number | null;
}

/** Per-step error rate and p99 from the history (by invoke time) and the dropped arrivals. */
export function stepStats(
  history: readonly HistoryEvent[],
  start: number,
  steps: readonly number[],
  seconds: number,
  droppedAt: readonly number[] = [],
): StepStats[] {
  const ops = operations(history).filter((o) => o.invoke.time >= start);
  return steps.map((rate, i) => {
    const from = start + i * seconds * 1000;
    const to = from + seconds * 1000;
    const inStep = ops.filter((o) => o.invoke.time >= from && o.invoke.time < to);
    const lat = inStep
      .filter((o) => o.completion?.type === "ok")
      .map((o) => o.completion!.latencyMs)
      .sort((a, b) => a - b);
    const dropped = droppedAt.filter((t) => t >= from && t < to).length;
    return {
      rate,
      sent: inStep.length + dropped,
      errors: inStep.filter((o) => o.completion?.type !== "ok").length + dropped,
      p99: percentile(lat, 99),
    };
  });
}

/** What every run of the built-in generator shares in this drill. */
export type LoadBase = Omit<Parameters<typeof runWorkload>[0], "phases" | "maxOps">;

/** One hold at `rate`, with HAProxy's frontend counters read before and after. */
export async function holdAt(ctx: DrillContext, base: LoadBase, rate: number) {
  const before = await frontendResponses(ctx.lab.endpoints.haproxy.metricsUrl);
  const holdStart = ctx.history.now();
  const hold = await runWorkload({
    ...base,
    phases: [{ rate, seconds: RAMP.holdSeconds }],
    maxOps: rate * RAMP.holdSeconds,
  });
  // HAProxy's exporter is read on demand; its counters are final once the last response is sent.
  const holdEnd = ctx.history.now();
  const after = await frontendResponses(ctx.lab.endpoints.haproxy.metricsUrl);
  // Open model: an arrival the client could not even send is load the lab did not serve.
  const offered = hold.invoked + hold.dropped;
  const errorRate = offered ? (hold.fail + hold.info + hold.dropped) / offered : 0;
  return { rate, hold, before, after, holdStart, holdEnd, errorRate };
}

/** The largest share of HTTP 5xx answers among completed operations in any window of `windowMs`. */
export function max5xxShare(
  history: readonly HistoryEvent[],
  from: number,
  until: number,
  windowMs: number,
): number {
  const done = operations(history).filter(
    (o) => o.completion && o.invoke.time >= from && o.completion.time <= until,
  );
  let max = 0;
  for (let t = from; t + windowMs <= until || t === from; t += 1000) {
    const inWindow = done.filter((o) => o.completion!.time >= t && o.completion!.time < t + windowMs);
    if (inWindow.length === 0) continue;
    const fiveXx = inWindow.filter(
      (o) => "error" in o.completion! && /HTTP 5\d\d/.test(o.completion!.error),
    ).length;
    max = Math.max(max, fiveXx / inWindow.length);
  }
  return max;
}
