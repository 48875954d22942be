import { checkConvergence, type ConvergenceOptions } from "../../checkers/kinds/convergence.ts";
import { restartIoThread } from "../../db/replication.ts";
import { lastReplicationStates, type HistoryEvent } from "../../history/history.ts";
import { ConvergenceObserver } from "../../probes/db-state.ts";
import type { ConvergenceSample } from "../../store/convergence-samples.ts";
import type { DrillContext } from "../context.ts";

/** Starts sampling both databases now; stopped by the checks after the heal, or when the drill ends. */
export function observeConvergenceFrom(ctx: DrillContext, maxMs: number): ConvergenceObserver {
  const nodes = { node1: ctx.lab.endpoints.nodes.node1.db, node2: ctx.lab.endpoints.nodes.node2.db };
  const observer = new ConvergenceObserver(nodes, ctx.tag, () => ctx.history.now(), maxMs);
  ctx.teardown.defer(() => observer.stop());
  return observer;
}

/** Whether the checker already sees both the catch-up and the equal tables, holding. */
export function converged(
  history: readonly HistoryEvent[],
  samples: readonly ConvergenceSample[],
  options: ConvergenceOptions,
): boolean {
  const f = checkConvergence(history, samples, options).figures;
  return f.secondsToConverge !== null && f.secondsToEqualAfterQuiet !== null;
}

/**
 * The replica whose SQL thread is stopped on an error (its last sampled state, which may be from
 * before the heal), if any: it will not catch up until an operator deals with the error (restarting
 * the IO thread does not), so waiting longer for convergence only spends time (a duplicate key,
 * 1062, after a split brain). A restarted server starts it again, and the sampler records that.
 */
export function replicaStoppedOnError(events: readonly HistoryEvent[]): string | undefined {
  for (const [node, s] of lastReplicationStates(events))
    if (!s.sql && s.lastErrno !== 0) return `${node} (error ${s.lastErrno})`;
  return undefined;
}

/**
 * Waits for the replicas to converge (or gives up), stopping as soon as the checker can judge: they
 * converged, or a replica's SQL thread is stopped on an error (they never will).
 */
export async function awaitConvergence(
  ctx: DrillContext,
  observer: ConvergenceObserver,
  options: ConvergenceOptions,
  observeSeconds: number,
): Promise<void> {
  ctx.progress.detail(`watching the replicas converge (up to ${observeSeconds.toFixed(0)} s)`);
  await observer.until(
    (samples) =>
      converged(ctx.history.events, samples, options) ||
      replicaStoppedOnError(ctx.history.events) !== undefined,
    observeSeconds * 1000,
  );
  const stopped = replicaStoppedOnError(ctx.history.events);
  if (stopped) ctx.progress.detail(`stopped watching: the SQL thread of ${stopped} stopped replicating`);
}

/**
 * Waits until the bound (and a little) has passed since the heal; a catch-up later than that proves
 * the bound missed, and the operator's repair (both replicas' IO threads restarted) ends the wait
 * the seed's 60 s `slave_net_timeout` would otherwise impose: the checker says the catch-up was
 * helped. Returns the options the checker judges with (the repair's time added when there was one).
 */
export async function convergeOrRepair(
  ctx: DrillContext,
  observer: ConvergenceObserver,
  o: { healAt: number; quietAt: number; boundSeconds: number; observeSeconds: number },
): Promise<ConvergenceOptions> {
  const options: ConvergenceOptions = { healAt: o.healAt, quietAt: o.quietAt, boundSeconds: o.boundSeconds };
  const judgeable = o.healAt + (o.boundSeconds + 3) * 1000 - ctx.history.now();
  await awaitConvergence(ctx, observer, options, Math.max(1, Math.min(o.observeSeconds, judgeable / 1000)));
  if (!converged(ctx.history.events, observer.samples, options)) {
    options.repairAt = ctx.history.now();
    ctx.progress.detail(
      "not caught up within the bound: restarting both replicas' IO threads (the operator's repair)",
    );
    const dbs = [ctx.lab.endpoints.nodes.node1.db, ctx.lab.endpoints.nodes.node2.db];
    await Promise.all(dbs.map((db) => restartIoThread(db).catch(() => undefined)));
    ctx.history.append({
      type: "repair",
      what: "replica IO threads restarted on node1 and node2",
      time: options.repairAt,
    });
    await awaitConvergence(ctx, observer, options, o.observeSeconds);
  }
  await observer.stop();
  return options;
}
