import type { CheckerSpec } from "../checkers/checker.ts";
import { checkSteadyState } from "../checkers/steady-state.ts";
import { operations, type HistoryEvent } from "../history/history.ts";
import { frontendResponses } from "../probes/haproxy-metrics.ts";
import { runWorkload } from "../workload/workload.ts";
import { expectation, verdictHolds, type DrillContext, type DrillDefinition } from "./drill.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import { freezeServices } from "../faults/container-faults.ts";
import {
  ALERT_BUDGET as B,
  checkAlerts,
  countersMatch,
  faultUnderLoad,
  judge,
  outcomeOf,
  steadyAfter,
  steadyStateFirst,
  withAlerts,
} from "./drill-steps.ts";
import { loadWithK6 } from "../k6/k6-load-drill.ts";
import { alertsUnderLoad } from "./alerts-under-load.ts";
import { percentile } from "../util/percentile.ts";
import { resolveSettings } from "../settings/settings.ts";

export const LOAD_STEPS = [25, 50, 100, 200, 300, 400, 600];
const STEP_SECONDS = 4;
const HOLD_SECONDS = 10;
const MAX_ERROR_RATE = 0.01;
/** One latency bound for the ramp's good steps and the hold alike. */
export const MAX_P99_MS = 500;
const MAX_HOLD_BACKOFFS = 2;
/**
 * Requests in flight at most: at 200 ops/s and 300 ms latency 60 are in flight, so 64 made the
 * client drop arrivals before the lab refused any; 128 leaves the limit to the lab.
 */
const CONCURRENCY = 128;

interface StepStats {
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

/**
 * load-haproxy — ramp the arrival rate step by step, find the highest step the 2-core lab serves
 * with < 1 % errors and p99 < 500 ms, hold it, and check HAProxy's own counters against the client's.
 */
export const loadHaproxy: DrillDefinition = {
  id: "load-haproxy",
  title: "Ramp and hold load through HAProxy",
  expects: {
    hardened:
      "holds the highest sustainable step (at least FIREDRILL_MIN_HOLD_RATE) with < 1 % errors and p99 < 500 ms; HAProxy's counters match the client's; no alert under load; a 5xx burst (both apps frozen 8 s) fires the 5xx-rate alert ≤ 10 s, notifies ≤ 15 s, resolves ≤ 15 s after",
    seed: "holds the highest sustainable step (at least FIREDRILL_MIN_HOLD_RATE) with < 1 % errors and p99 < 500 ms; HAProxy's counters match the client's; no alert under load",
  },
  async run(ctx) {
    const minHoldRate = resolveSettings().minHoldRate;
    // The stack serves light traffic on its primary before it is loaded (the "fault" here is the load).
    const steadyBefore = await steadyStateFirst(ctx);
    // FIREDRILL_LOAD_GENERATOR=k6: the same ramp and hold driven by k6 (skipped with the reason without it).
    if (resolveSettings().loadGenerator === "k6") {
      const outcome = await loadWithK6(ctx, {
        steps: LOAD_STEPS,
        stepSeconds: STEP_SECONDS,
        holdSeconds: HOLD_SECONDS,
        concurrency: CONCURRENCY,
        maxErrorRate: MAX_ERROR_RATE,
        maxP99Ms: MAX_P99_MS,
        minHoldRate,
      });
      outcome.expectations.unshift(
        verdictHolds("steady state before the load", checkSteadyState(ctx.history.events, steadyBefore)),
      );
      return ctx.profile === "seed" ? outcome : withAlerts(outcome, (await fiveXxBurst(ctx)).alerts);
    }
    const base = {
      baseUrl: ctx.lab.endpoints.haproxy.url,
      concurrency: CONCURRENCY,
      timeoutMs: 5000,
      tag: ctx.tag,
      history: ctx.history,
    };
    const rampStart = ctx.history.now();
    ctx.progress.detail(`ramp: ${LOAD_STEPS.join(", ")} ops/s, ${STEP_SECONDS} s each`);
    const ramp = await runWorkload({
      ...base,
      phases: LOAD_STEPS.map((rate) => ({ rate, seconds: STEP_SECONDS })),
      maxOps: 20_000,
    });
    const steps = stepStats(ctx.history.events, rampStart, LOAD_STEPS, STEP_SECONDS, ramp.droppedAt);
    const good = steps.filter(
      (s) => s.sent > 0 && s.errors / s.sent < MAX_ERROR_RATE && s.p99 !== null && s.p99 < MAX_P99_MS,
    );
    // A 4 s ramp step only estimates capacity; the 10 s hold confirms it. When the hold misses, the
    // drill backs off to the next good step (reported), at most twice and never below the floor, so a
    // noisy step is not called the lab's limit, while a lab that cannot hold the floor still fails.
    const candidates = good
      .map((s) => s.rate)
      .reverse()
      .filter((rate, i) => i === 0 || rate >= minHoldRate)
      .slice(0, 1 + MAX_HOLD_BACKOFFS);
    if (candidates.length === 0) candidates.push(LOAD_STEPS[0]!);
    ctx.progress.detail(
      `steps: ${steps.map((s) => `${s.rate}/s p99 ${s.p99?.toFixed(0)} ms, ${s.errors} errors`).join("; ")}; holding ${candidates[0]}/s`,
    );
    const missed: string[] = [];
    let attempt!: Awaited<ReturnType<typeof holdAt>>;
    for (const [i, rate] of candidates.entries()) {
      attempt = await holdAt(ctx, base, rate);
      if (attempt.errorRate < MAX_ERROR_RATE && attempt.hold.latency.p99 < MAX_P99_MS) break;
      if (i === candidates.length - 1) break;
      missed.push(
        `${rate}/s: ${(attempt.errorRate * 100).toFixed(2)} % errors, p99 ${attempt.hold.latency.p99} ms`,
      );
      ctx.progress.detail(`hold at ${rate}/s missed (${missed.at(-1)}); backing off`);
    }
    const { rate: holdRate, hold, before, after, holdStart, holdEnd, errorRate } = attempt;
    const holdOps = operations(ctx.history.events).filter(
      (o) => o.invoke.time >= holdStart && o.invoke.time < holdEnd,
    );
    const answered = holdOps.filter(
      (o) =>
        o.completion &&
        !("error" in o.completion && /^\w*(Timeout|Abort|ECONN|UND_ERR)/.test(o.completion.error)),
    ).length;
    const client5xx = holdOps.filter(
      (o) => o.completion && "error" in o.completion && /HTTP 5\d\d/.test(o.completion.error),
    ).length;
    const haproxyAnswered = after.total - before.total;
    const loadAlerts = await alertsUnderLoad(
      ctx,
      rampStart,
      max5xxShare(ctx.history.events, rampStart, ctx.history.now(), 10_000),
    );
    const checkers: CheckerSpec[] = [
      { id: "steady-state", name: "steady-state-before", options: steadyBefore },
      { id: "availability", options: { window: { from: holdStart, until: holdEnd } } },
    ];
    const burst = ctx.profile === "seed" ? undefined : await fiveXxBurst(ctx);
    if (burst) checkers.push({ id: "fault-effect" }, burst.steadyAfter);
    const checked = await judge(ctx, checkers, undefined);
    const v = checked.verdicts;
    const outcome = outcomeOf(
      checked,
      {
        sustainedRate: holdRate,
        minHoldRate,
        holdBackoffs: missed.length,
        holdOperations: hold.invoked,
        holdErrorRate: errorRate,
        holdP99Ms: hold.latency.p99,
        dropped: hold.dropped,
        haproxyResponses: haproxyAnswered,
        clientResponses: answered,
        requestsFailed: hold.fail + hold.info + hold.dropped,
      },
      [
        verdictHolds("steady state before the load", v["steady-state-before"]),
        expectation(
          `holds at least ${minHoldRate} ops/s (FIREDRILL_MIN_HOLD_RATE)`,
          holdRate >= minHoldRate && errorRate < MAX_ERROR_RATE && hold.latency.p99 < MAX_P99_MS,
          `held ${holdRate} ops/s${good.length === 0 ? "; no ramp step was good" : ""}`,
        ),
        expectation(
          `error rate < 1 % at ${holdRate} ops/s`,
          errorRate < MAX_ERROR_RATE,
          `${(errorRate * 100).toFixed(2)} %${missed.length ? `; backed off from ${missed.join("; ")}` : ""}`,
        ),
        expectation(
          `p99 < ${MAX_P99_MS} ms at ${holdRate} ops/s`,
          hold.latency.p99 < MAX_P99_MS,
          `p99 ${hold.latency.p99} ms`,
        ),
        ...countersMatch("the client", before, after, { answered, fiveXx: client5xx }),
        ...loadAlerts,
        ...(burst
          ? [
              verdictHolds("the burst had its effect (both apps stopped answering)", v["fault-effect"]),
              verdictHolds("steady state restored after the burst", v["steady-state-after"]),
            ]
          : []),
      ],
    );
    return burst ? withAlerts(outcome, burst.alerts) : outcome;
  },
};

/** One hold at `rate`, with HAProxy's frontend counters read before and after. */
async function holdAt(
  ctx: DrillContext,
  base: Omit<Parameters<typeof runWorkload>[0], "phases" | "maxOps">,
  rate: number,
) {
  const before = await frontendResponses(ctx.lab.endpoints.haproxy.metricsUrl);
  const holdStart = ctx.history.now();
  const hold = await runWorkload({
    ...base,
    phases: [{ rate, seconds: HOLD_SECONDS }],
    maxOps: rate * HOLD_SECONDS,
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

/**
 * Both apps frozen for 8 s under 50 ops/s: HAProxy has no server and answers 5xx; the alert must
 * fire, notify and resolve, and the stack must serve again afterwards.
 */
async function fiveXxBurst(ctx: DrillContext) {
  ctx.progress.detail("5xx burst: both apps frozen for 8 s under 50 ops/s");
  const load = await faultUnderLoad(ctx, freezeServices(["node1-app", "node2-app"]), {
    rate: 50,
    beforeSeconds: 2,
    faultSeconds: 8,
    afterSeconds: 6,
    observeConvergence: false,
  });
  await ctx.states.sync();
  const steady = steadyAfter(ctx, load.quietTime - 3000, load.rate);
  const alerts = await checkAlerts(
    ctx,
    [
      expectAlert("HighHTTP5xxRate")
        .firesWithin(B.fires)
        .notifiedWithin(B.notified)
        .resolvesWithin(B.resolves),
    ],
    {
      // Frozen apps cannot be scraped nor pass HAProxy's checks: these fire too, by design.
      allow: [
        { name: "AppInstanceDown" },
        { name: "HAProxyServerDown" },
        { name: "HAProxyRunningOnBackup" },
        { name: "HAProxyNoServerAvailable" },
      ],
    },
  );
  return { alerts, steadyAfter: steady };
}
