import { CheckResults } from "../../checkers/check-results.ts";
import type { CheckerSpec } from "../../checkers/checker.ts";
import availability, { type AvailabilityBounds } from "../../checkers/kinds/availability.ts";
import consistency from "../../checkers/kinds/consistency.ts";
import convergence from "../../checkers/kinds/convergence.ts";
import durability from "../../checkers/kinds/durability.ts";
import faultEffect from "../../checkers/kinds/fault-effect.ts";
import replicationHealth from "../../checkers/kinds/replication-health.ts";
import staleReads from "../../checkers/kinds/stale-reads.ts";
import { runCheckers } from "../../checkers/run-checkers.ts";
import type { ProfileName } from "../../config/profiles.ts";
import { observeState } from "../../probes/observed-state.ts";
import type { ConvergenceSample } from "../../store/convergence-samples.ts";
import type { ObservedState, ReplicaStates } from "../../store/observed.ts";
import type { WorkloadResult } from "../../workload/workload.ts";
import { finalReads } from "../../workload/final-reads.ts";
import type { DrillContext } from "../context.ts";
import { convergeOrRepair } from "./convergence.ts";
import type { LoadedFault } from "./load.ts";
import { PRIMARY, steadyAfter, steadyBeforeCheck } from "./steady-state.ts";

/** What the checks saw and concluded, ready to become a drill's outcome. */
export interface Checked {
  results: CheckResults;
  /** The checkers and their options, saved so a rebuilt report judges as the run did. */
  checkers: CheckerSpec[];
  observed: ObservedState;
  samples: readonly ConvergenceSample[] | undefined;
}

/** Reads the databases as the drill leaves them and runs the drill's checkers on the one input. */
export async function judge(
  ctx: DrillContext,
  checkers: CheckerSpec[],
  samples: readonly ConvergenceSample[] | undefined,
  moments?: Record<string, ReplicaStates>,
): Promise<Checked> {
  await ctx.states.sync();
  const observed = await observeState(ctx.lab, ctx.tag, ctx.history.now());
  if (moments) observed.moments = moments;
  const list = runCheckers(checkers, { history: ctx.history.events, observed, samples });
  return { results: new CheckResults(list), checkers, observed, samples };
}

/** The same checked input with more checkers run on the history (they need nothing else). */
export function withMoreCheckers(ctx: DrillContext, c: Checked, more: readonly CheckerSpec[]): Checked {
  if (more.length === 0) return c;
  const list = runCheckers(more, { history: ctx.history.events, observed: c.observed, samples: c.samples });
  return {
    ...c,
    results: new CheckResults([...c.results.list, ...list]),
    checkers: [...c.checkers, ...more],
  };
}

export interface AfterHeal {
  convergenceBoundSeconds: number;
  /** How long to keep watching for convergence (longer than the bound, to measure slow ones). */
  observeSeconds: number;
  availability: AvailabilityBounds;
}

/**
 * After the heal: wait for (or give up on) convergence, read every acknowledged item back through
 * HAProxy, read the databases, then run every checker — the steady state again included.
 */
export async function checkAfterHeal(ctx: DrillContext, load: LoadedFault, o: AfterHeal): Promise<Checked> {
  if (!load.convergence) throw new Error("checkAfterHeal: the load was run without observing convergence");
  const options = await convergeOrRepair(ctx, load.convergence, {
    healAt: load.healTime,
    quietAt: load.quietTime,
    boundSeconds: o.convergenceBoundSeconds,
    observeSeconds: o.observeSeconds,
  });
  const reads = await finalReads({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    history: ctx.history,
    concurrency: 8,
    timeoutMs: 5000,
  });
  ctx.progress.detail(
    `read back ${reads.read} acknowledged item(s) through HAProxy: ${reads.notFound} not found, ${reads.failed} failed`,
  );
  await ctx.states.sync();
  return judge(
    ctx,
    [
      steadyBeforeCheck(load.steadyBefore),
      faultEffect.spec(undefined),
      availability.spec(o.availability),
      durability.spec(undefined),
      staleReads.spec(undefined),
      consistency.spec(undefined),
      convergence.spec(options),
      replicationHealth.spec(undefined),
      steadyAfter(ctx, load.quietTime - 3000, load.rate),
    ],
    load.convergence.samples,
  );
}

/**
 * Failover when node1 goes: the hardened stack's bounds (an outage, a first success on node2 and any
 * error window ≤ 2 s); the seed's failover is measured, not bounded.
 */
export function failoverBounds(profile: ProfileName): AvailabilityBounds {
  const nodes = { failoverNode: "node2", primaryNode: PRIMARY };
  return profile === "seed"
    ? nodes
    : { ...nodes, failoverSeconds: 2, firstSuccessSeconds: 2, maxErrorWindowSeconds: 2 };
}

/** The figures every drill under load reports in summary.json: the checkers' key figures and the load's. */
export function keyFigures(results: CheckResults, w?: WorkloadResult): Record<string, number | null> {
  return {
    ...results.keyFigures(),
    operations: w?.invoked ?? null,
    dropped: w?.dropped ?? null,
    p99Ms: w?.latency.p99 ?? null,
  };
}
