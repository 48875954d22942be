import consistency from "../../checkers/kinds/consistency.ts";
import availability from "../../checkers/kinds/availability.ts";
import faultEffect from "../../checkers/kinds/fault-effect.ts";
import { checkSteadyState } from "../../checkers/kinds/steady-state.ts";
import { operations } from "../../history/history.ts";
import type { Expectation } from "../../store/drill-result.ts";
import { runWorkload } from "../../workload/workload.ts";
import type { DrillContext } from "../context.ts";
import { expectation, resultHolds } from "../expectations.ts";
import { countersMatch } from "../load/counters.ts";
import { fiveXxBurst } from "../load/five-xx-burst.ts";
import { loadWithK6 } from "../load/k6-load.ts";
import { holdAt, max5xxShare, RAMP, stepStats, type LoadBase, type StepStats } from "../load/ramp.ts";
import { defineDrill, scripted, type Scripted } from "../spec.ts";
import { alertsUnderLoad } from "../steps/alerts-under-load.ts";
import { judge } from "../steps/judge.ts";
import { steadyBeforeCheck, steadyStateFirst } from "../steps/steady-state.ts";

/**
 * load-haproxy — ramp the arrival rate step by step, find the highest step the 2-core lab serves
 * with < 1 % errors and p99 < 500 ms, hold it, and check HAProxy's own counters against the client's.
 * What it expects depends on what the ramp found (the rate it held), so its lines are judged as it
 * goes, each with its id: the escape hatch of a scripted plan.
 */
export default defineDrill({
  id: "load-haproxy",
  title: "Ramp and hold load through HAProxy",
  expects: {
    hardened:
      "holds the highest sustainable step (at least FIREDRILL_MIN_HOLD_RATE) with < 1 % errors and p99 < 500 ms; HAProxy's counters match the client's; no alert under load; a 5xx burst (both apps frozen 8 s) fires the 5xx-rate alert ≤ 10 s, notifies ≤ 15 s, resolves ≤ 15 s after",
    seed: "holds the highest sustainable step (at least FIREDRILL_MIN_HOLD_RATE) with < 1 % errors and p99 < 500 ms; HAProxy's counters match the client's; no alert under load",
  },
  // It measures capacity: a drill beside it would take some.
  plan: () => scripted({ extra: rampAndHold, expect: [] }),
});

async function rampAndHold(ctx: DrillContext): Promise<Scripted> {
  const minHoldRate = ctx.settings.minHoldRate;
  // The stack serves light traffic on its primary before it is loaded (the "fault" here is the load).
  const steadyBefore = await steadyStateFirst(ctx);
  // FIREDRILL_LOAD_GENERATOR=k6: the same ramp and hold driven by k6 (skipped with the reason without it).
  if (ctx.settings.loadGenerator === "k6") return withK6(ctx, steadyBefore, minHoldRate);
  const base: LoadBase = {
    baseUrl: ctx.lab.endpoints.haproxy.url,
    concurrency: RAMP.concurrency,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
  };
  const rampStart = ctx.history.now();
  ctx.progress.detail(
    `ramp: ${RAMP.steps.join(", ")} ops/s, ${RAMP.stepSeconds} s each, up to the first bad step`,
  );
  // Step by step, and no higher than the first bad step: past it the lab is only overloaded longer,
  // and on 2 cores a long overload starves HAProxy's health checks (a server marked down, alerts
  // firing) without saying more of its capacity.
  const steps: StepStats[] = [];
  for (const rate of RAMP.steps) {
    const stepStart = ctx.history.now();
    const w = await runWorkload({
      ...base,
      phases: [{ rate, seconds: RAMP.stepSeconds }],
      maxOps: rate * RAMP.stepSeconds,
    });
    const step = stepStats(ctx.history.events, stepStart, [rate], RAMP.stepSeconds, w.droppedAt)[0]!;
    steps.push(step);
    if (!isGood(step)) break;
  }
  const good = steps.filter(isGood);
  // A 4 s ramp step only estimates capacity; the 10 s hold confirms it. When the hold misses, the
  // drill backs off to the next good step (reported), at most twice and never below the floor, so a
  // noisy step is not called the lab's limit, while a lab that cannot hold the floor still fails.
  const candidates = good
    .map((s) => s.rate)
    .reverse()
    .filter((rate, i) => i === 0 || rate >= minHoldRate)
    .slice(0, 1 + RAMP.maxHoldBackoffs);
  if (candidates.length === 0) candidates.push(RAMP.steps[0]!);
  ctx.progress.detail(
    `steps: ${steps.map((s) => `${s.rate}/s p99 ${s.p99?.toFixed(0)} ms, ${s.errors} errors`).join("; ")}; holding ${candidates[0]}/s`,
  );
  const missed: string[] = [];
  let attempt!: Awaited<ReturnType<typeof holdAt>>;
  for (const [i, rate] of candidates.entries()) {
    attempt = await holdAt(ctx, base, rate);
    if (attempt.errorRate < RAMP.maxErrorRate && attempt.hold.latency.p99 < RAMP.maxP99Ms) break;
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
  const loadAlerts = await alertsUnderLoad(
    ctx,
    rampStart,
    max5xxShare(ctx.history.events, rampStart, ctx.history.now(), 10_000),
  );
  const checkers = [
    steadyBeforeCheck(steadyBefore),
    availability.spec({ window: { from: holdStart, until: holdEnd } }),
    consistency.spec(undefined),
  ];
  const burst = ctx.profile === "seed" ? undefined : await fiveXxBurst(ctx);
  if (burst) checkers.push(faultEffect.spec(undefined), burst.steadyAfter);
  const checked = await judge(ctx, checkers, undefined);
  const r = checked.results;
  const expectations: Expectation[] = [
    resultHolds("steady-state-before", "steady state before the load", r.get("steady-state-before")),
    expectation(
      "holds-min-rate",
      `holds at least ${minHoldRate} ops/s (FIREDRILL_MIN_HOLD_RATE)`,
      holdRate >= minHoldRate && errorRate < RAMP.maxErrorRate && hold.latency.p99 < RAMP.maxP99Ms,
      `held ${holdRate} ops/s${good.length === 0 ? "; no ramp step was good" : ""}`,
    ),
    expectation(
      "error-rate",
      `error rate < 1 % at ${holdRate} ops/s`,
      errorRate < RAMP.maxErrorRate,
      `${(errorRate * 100).toFixed(2)} %${missed.length ? `; backed off from ${missed.join("; ")}` : ""}`,
    ),
    expectation(
      "p99",
      `p99 < ${RAMP.maxP99Ms} ms at ${holdRate} ops/s`,
      hold.latency.p99 < RAMP.maxP99Ms,
      `p99 ${hold.latency.p99} ms`,
    ),
    ...countersMatch("the client", before, after, { answered, fiveXx: client5xx }),
    ...loadAlerts,
    ...(burst
      ? [
          resultHolds(
            "burst-effect",
            "the burst had its effect (both apps stopped answering)",
            r.get("fault-effect"),
          ),
          resultHolds(
            "steady-state-after",
            "steady state restored after the burst",
            r.get("steady-state-after"),
          ),
        ]
      : []),
  ];
  return {
    checked,
    figures: {
      sustainedRate: holdRate,
      minHoldRate,
      holdBackoffs: missed.length,
      holdOperations: hold.invoked,
      holdErrorRate: errorRate,
      holdP99Ms: hold.latency.p99,
      dropped: hold.dropped,
      haproxyResponses: after.total - before.total,
      clientResponses: answered,
      requestsFailed: hold.fail + hold.info + hold.dropped,
    },
    facts: {},
    expectations,
    ...(burst ? { alerts: burst.alerts } : {}),
  };
}

/** The same ramp and hold driven by k6: k6 writes no history, so only the steady state is checked. */
async function withK6(
  ctx: DrillContext,
  steadyBefore: Parameters<typeof steadyBeforeCheck>[0],
  minHoldRate: number,
): Promise<Scripted> {
  const k6 = await loadWithK6(ctx, { ...RAMP, minHoldRate });
  const steady = checkSteadyState(ctx.history.events, steadyBefore);
  const burst = ctx.profile === "seed" ? undefined : await fiveXxBurst(ctx);
  const checked = await judge(ctx, [], undefined);
  return {
    checked,
    figures: k6.figures,
    facts: {},
    expectations: [
      resultHolds("steady-state-before", "steady state before the load", steady),
      ...k6.expectations,
    ],
    ...(burst ? { alerts: burst.alerts } : {}),
  };
}

/** A ramp step the lab served: under 1 % errors and p99 under the bound. */
const isGood = (s: StepStats) =>
  s.sent > 0 && s.errors / s.sent < RAMP.maxErrorRate && s.p99 !== null && s.p99 < RAMP.maxP99Ms;
