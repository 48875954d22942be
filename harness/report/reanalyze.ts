import { checkAvailability } from "../checkers/availability.ts";
import { checkDurability } from "../checkers/durability.ts";
import { checkReplicationHealth } from "../checkers/replication-health.ts";
import { checkStaleReads } from "../checkers/stale-reads.ts";
import { safely, type Validity, type Verdict } from "../checkers/verdict.ts";
import { fmt } from "./html/html.ts";
import type { DrillArtifacts } from "./run-folder.ts";

/** One checker run again on the saved artifacts, beside what the drill itself concluded. */
export interface Reanalysis {
  checker: string;
  /** The verdict recomputed now; undefined when its inputs were not saved (`why` says which). */
  rerun: Verdict | undefined;
  saved: Validity | undefined;
  why?: string;
  /** Both exist and disagree: the report says so loudly. */
  disagrees: boolean;
}

/**
 * Re-runs the checkers whose inputs a run saves: availability and stale reads from history.jsonl,
 * durability and replication health from observed.json (the databases as the drill left them).
 * Convergence needs the samples taken while the replicas caught up, which are not saved: its saved
 * verdict stands. Availability is re-run without the drill's time bound (only the drill states it),
 * so its figures are compared, not its validity.
 */
export function reanalyze(d: DrillArtifacts): Reanalysis[] {
  const saved = (name: string) => d.outcome?.verdicts.find((v) => v.checker === name)?.valid;
  const h = d.history;
  const o = d.observed;
  const one = (checker: string, rerun: (() => Verdict) | string): Reanalysis => {
    const s = saved(checker);
    if (typeof rerun === "string")
      return { checker, rerun: undefined, saved: s, why: rerun, disagrees: false };
    const v = safely(checker, rerun);
    return { checker, rerun: v, saved: s, disagrees: s !== undefined && s !== v.valid };
  };
  const noHistory = "history.jsonl is missing";
  // An interrupted drill never got to read the databases: its observed.json is missing for that reason.
  const noObserved =
    d.result.verdict === "interrupted"
      ? "observed.json is missing: the drill was interrupted before it read the databases"
      : "observed.json is missing (runs before it was saved)";
  const availability = one("availability", h ? () => checkAvailability(h) : noHistory);
  // Only the drill knows its failover node and bound: the re-run recomputes the figures, compared here.
  if (availability.rerun) {
    const was = d.outcome?.verdicts.find((v) => v.checker === "availability")?.figures;
    const now = availability.rerun.figures;
    availability.disagrees = was !== undefined && was.requestsFailed !== now.requestsFailed;
    availability.saved = undefined;
    availability.why = `figures only (the failover bound is the drill's): requests failed ${now.requestsFailed}${was ? ` (saved ${was.requestsFailed})` : ""}, longest error window ${fmt(now.longestErrorWindowSeconds)} s, p99 during the fault ${fmt(now.p99DuringMs)} ms`;
  }
  return [
    availability,
    one("stale-reads", h ? () => checkStaleReads(h) : noHistory),
    one(
      "durability",
      !h
        ? noHistory
        : !o
          ? noObserved
          : !o.snapshots.node1 || !o.snapshots.node2
            ? `a database could not be read at the end: ${o.errors.join("; ")}`
            : () => checkDurability(h, { node1: o.snapshots.node1!, node2: o.snapshots.node2! }, o.tag),
    ),
    one(
      "replication-health",
      !o
        ? noObserved
        : () =>
            checkReplicationHealth({
              node1: o.replication.node1 ?? undefined,
              node2: o.replication.node2 ?? undefined,
            }),
    ),
    one("convergence", "needs the samples taken while the replicas caught up, which are not saved"),
  ];
}
