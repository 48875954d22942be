import { kindOf } from "../faults/fault-kinds.ts";
import { endSeconds, type Schedule, type ScheduledFault } from "../faults/schedule.ts";

/**
 * A tiny deterministic model of the stack, for testing the shrinker without a lab: one write a
 * second through HAProxy, which sends it to node1's app while node1 serves and to node2's otherwise;
 * an app stores a write in its own node's database and acknowledges it, or answers an error. The
 * verdict is the durability checker's in miniature: every acknowledged write must be stored.
 *
 * One bug is planted, and shows only when two faults overlap: node2's app, when its database is
 * gone while node1 is crashed, "fails over" to node1's database, finds it unreachable, swallows the
 * error and acknowledges the write anyway. Either fault alone, or both at different times, or node1
 * frozen instead of crashed, loses nothing: so a failing schedule shrinks to exactly those two.
 */
export const plantedBug = {
  crash: { kind: "crash-server", target: "node1" },
  kill: { kind: "kill-service", target: "node2-db" },
} as const;

export interface SimulatedRun {
  passed: boolean;
  /** Every write acknowledged, by the second it was sent. */
  acknowledged: number[];
  /** Acknowledged writes that no database holds: the planted bug's trace. */
  lost: number[];
  /** Writes answered with an error (not a loss: the client knows). */
  failed: number[];
}

const is = (f: ScheduledFault, kind: string, target: string | null) => f.kind === kind && f.target === target;

/** Runs the model second by second until the last fault has healed (and one second more). */
export function simulateStack(s: Schedule): SimulatedRun {
  const until = Math.max(0, ...s.faults.map(endSeconds)) + 1;
  const run: SimulatedRun = { passed: true, acknowledged: [], lost: [], failed: [] };
  for (let t = 0; t < until; t++) {
    const active = s.faults.filter((f) => f.startSeconds <= t && t < endSeconds(f));
    const on = (kind: string, target: string | null) => active.some((f) => is(f, kind, target));
    // What each active fault takes down, as its kind says.
    const down = active.map((f) => kindOf(f.kind).simulate?.(f.target) ?? {});
    const serverDown = (n: string) => down.some((d) => d.server === n);
    const appUp = (n: string) => !serverDown(n) && !down.some((d) => d.app === n);
    const dbUp = (n: string) => !serverDown(n) && !down.some((d) => d.db === n);
    // HAProxy's health check asks the app for /healthz, which touches the database (the hardened check).
    const serving = appUp("node1") && dbUp("node1") ? "node1" : appUp("node2") ? "node2" : undefined;
    if (serving === undefined) run.failed.push(t);
    else if (dbUp(serving)) run.acknowledged.push(t);
    else if (serving === "node2" && on("crash-server", "node1")) {
      // The planted bug: the error of the fallback write to a crashed node1 is swallowed.
      run.acknowledged.push(t);
      run.lost.push(t);
    } else run.failed.push(t);
    // Partitions and a split only delay replication in this model; nothing acknowledged is lost by them.
  }
  run.passed = run.lost.length === 0;
  return run;
}

/** The shrinker's predicate on the model: whether the schedule makes the stack lose a write. */
export const failsOnSimulatedStack = async (s: Schedule): Promise<boolean> => !simulateStack(s).passed;
