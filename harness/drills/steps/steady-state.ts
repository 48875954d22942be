import { WATCHDOG_MAX_GAP_SECONDS } from "../../alerts/pipeline-alive.ts";
import type { CheckerSpec } from "../../checkers/checker.ts";
import steadyState, { checkSteadyState, type SteadyStateSpec } from "../../checkers/kinds/steady-state.ts";
import type { CheckResult } from "../../store/check-result.ts";
import { runWorkload } from "../../workload/workload.ts";
import type { DrillContext } from "../context.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The primary: HAProxy sends everything to node1 while it is healthy (node2 is the backup). */
export const PRIMARY = "node1";

/**
 * The drill's steady state did not hold before its fault (Chaos Toolkit's hypothesis): the fault was
 * never injected, and the drill fails — a stack broken from the start proves nothing about the fault.
 */
export class SteadyStateNotMetError extends Error {
  constructor(readonly result: CheckResult) {
    super(`steady state not met before the fault: ${result.findings.map((f) => f.message).join("; ")}`);
    this.name = "SteadyStateNotMetError";
  }
}

/**
 * The steady state before a fault: every operation of the window succeeded on the primary, enough
 * of them, replication running both ways. Checked on the history as it stands; when it does not
 * hold, the drill stops here and the fault is never injected.
 */
export async function requireSteadyState(
  ctx: DrillContext,
  window: { from: number; until: number; rate: number },
): Promise<SteadyStateSpec> {
  await Promise.all([ctx.states.sync(), ctx.alerts.sync()]);
  const spec: SteadyStateSpec = {
    label: "before the fault",
    from: window.from,
    until: window.until,
    // Half the offered operations: a 2-core machine may start slowly, a broken stack serves none.
    minOk: Math.max(3, Math.floor((window.rate * (window.until - window.from)) / 2000)),
    primary: PRIMARY,
    replication: true,
    alertPipeline: { maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS },
  };
  let v = checkSteadyState(ctx.history.events, spec);
  // A lab just up may not have sent its first Watchdog notification yet: wait for one, bounded.
  const deadline = ctx.history.now() + WATCHDOG_MAX_GAP_SECONDS * 1000;
  while (v.valid !== true && onlyPipeline(v) && ctx.history.now() < deadline) {
    await sleep(500);
    await ctx.alerts.sync();
    spec.until = ctx.history.now();
    v = checkSteadyState(ctx.history.events, spec);
  }
  ctx.progress.detail(
    `steady state before the fault: ${v.valid === true ? "holds" : v.findings.map((f) => f.message).join("; ")}`,
  );
  if (v.valid !== true) throw new SteadyStateNotMetError(v);
  return spec;
}

const onlyPipeline = (v: CheckResult) => v.findings.every((f) => f.kind === "alert-pipeline-dead");

/**
 * A short, light load through HAProxy to prove the steady state, for drills whose fault is not
 * injected under a fault plan's load (the split-brain writes, the load ramp).
 */
export async function steadyStateFirst(ctx: DrillContext, rate = 10, seconds = 2): Promise<SteadyStateSpec> {
  const from = ctx.history.now();
  await runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate, seconds }],
    maxOps: rate * seconds,
    concurrency: 8,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
  });
  return requireSteadyState(ctx, { from, until: ctx.history.now(), rate });
}

/** The steady state before the fault, as the checker the drill saves. */
export const steadyBeforeCheck = (spec: SteadyStateSpec): CheckerSpec =>
  steadyState.spec(spec, "steady-state-before");

/**
 * The steady state after the heal: the last seconds of the load (and the read-back) served by the
 * primary with no failure, and replication running both ways by the end of the observation.
 */
export function steadyAfter(ctx: DrillContext, from: number, rate: number): CheckerSpec {
  return steadyState.spec(
    {
      label: "after the heal",
      from,
      until: ctx.history.now(),
      minOk: Math.max(3, Math.floor((rate * 3) / 2)),
      primary: PRIMARY,
      replication: true,
      alertPipeline: { maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS },
    },
    "steady-state-after",
  );
}
