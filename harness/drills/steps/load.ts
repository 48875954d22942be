import { WATCHDOG_MAX_GAP_SECONDS } from "../../alerts/pipeline-alive.ts";
import type { SteadyStateSpec } from "../../checkers/kinds/steady-state.ts";
import type { ConvergenceObserver } from "../../probes/db-state.ts";
import { runWorkload, type WorkloadResult } from "../../workload/workload.ts";
import type { WorkloadOptions } from "../../workload/workload-options.ts";
import type { DrillContext } from "../context.ts";
import { observeConvergenceFrom } from "./convergence.ts";
import { requireSteadyState } from "./steady-state.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UnderLoad {
  rate: number;
  beforeSeconds: number;
  afterSeconds: number;
  /** Sample the databases from the heal on, for convergence (default true). */
  observeConvergence?: boolean;
  /** The workload's mix and hot items (workload-options.ts), where a drill needs its own. */
  mix?: WorkloadOptions["mix"];
  hotItems?: number;
}

/** What a phase under load leaves for the checks after the heal. */
export interface LoadedFault {
  workload: WorkloadResult;
  rate: number;
  loadStart: number;
  healTime: number;
  /** When the last operation ended: the whole tables can only be equal from here. */
  quietTime: number;
  steadyBefore: SteadyStateSpec;
  /** Samples both databases from the heal on (convergence is timed from the heal); unset when not asked. */
  convergence: ConvergenceObserver | undefined;
}

/** What a drill does to the stack under the load: one fault, or a whole schedule of them. */
export interface FaultPhase {
  /** For the progress line: "crash node1 at 0 s for 10 s". */
  description: string;
  /** Planned seconds from the first inject to the last heal. */
  seconds: number;
  /**
   * Seconds the phase may run past its plan (heals that take a while, faults waiting for one), so
   * the load's schedule does not run out before `afterSeconds` after the last heal.
   */
  slackSeconds?: number;
  /** Injects and heals (heals in `finally`, as withFault does); resolves once everything is healed. */
  run(): Promise<unknown>;
}

/**
 * Steady traffic through HAProxy; once the steady state is proven `beforeSeconds` in, `phase` runs,
 * and the traffic goes on for `afterSeconds` after it ends. Its end is the heal the convergence is
 * timed from.
 */
export async function phaseUnderLoad(
  ctx: DrillContext,
  phase: FaultPhase,
  o: UnderLoad,
): Promise<LoadedFault> {
  const seconds = o.beforeSeconds + phase.seconds + o.afterSeconds;
  ctx.progress.detail(`${o.rate} ops/s for ${seconds} s; ${phase.description}`);
  const stopLoad = new AbortController();
  const loadStart = ctx.history.now();
  // The load runs until `afterSeconds` after the heal, however long the steady state took to prove;
  // its schedule only bounds it (with slack for that wait).
  const bound = seconds + (phase.slackSeconds ?? 0) + WATCHDOG_MAX_GAP_SECONDS + 10;
  const workload = runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate: o.rate, seconds: bound }],
    maxOps: Math.ceil(o.rate * bound),
    concurrency: 32,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
    signal: stopLoad.signal,
    ...(o.mix ? { mix: o.mix } : {}),
    ...(o.hotItems === undefined ? {} : { hotItems: o.hotItems }),
  });
  let healTime = 0;
  let steadyBefore: SteadyStateSpec | undefined;
  let convergence: ConvergenceObserver | undefined;
  const faulting = (async () => {
    try {
      await sleep(o.beforeSeconds * 1000);
      steadyBefore = await requireSteadyState(ctx, {
        from: loadStart,
        until: ctx.history.now(),
        rate: o.rate,
      });
      await phase.run();
      healTime = ctx.history.now();
      if (o.observeConvergence !== false)
        convergence = observeConvergenceFrom(ctx, (o.afterSeconds + 120) * 1000);
      await sleep(o.afterSeconds * 1000);
    } finally {
      stopLoad.abort();
    }
  })();
  // Heal even when the workload throws (the phase's heals run inside `faulting`), and let the
  // load wind down even when the fault side throws (no request outlives the drill).
  const [w, f] = await Promise.allSettled([workload, faulting]);
  if (f.status === "rejected") throw f.reason;
  if (w.status === "rejected") throw w.reason;
  return {
    workload: w.value,
    rate: o.rate,
    loadStart,
    healTime,
    quietTime: ctx.history.now(),
    steadyBefore: steadyBefore!,
    convergence,
  };
}
