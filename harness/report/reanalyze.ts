import { checkerName, type CheckerSpec } from "../checkers/checker.ts";
import { checkerById } from "../checkers/registry.ts";
import { runChecker } from "../checkers/run-checkers.ts";
import type { Validity, CheckResult } from "../store/check-result.ts";
import { faultEvents, type HistoryEvent } from "../history/history.ts";
import { fmt } from "../util/format.ts";
import type { DrillArtifacts } from "../store/run-folder.ts";

/** One checker run again on the saved artifacts, beside what the drill itself concluded. */
export interface Reanalysis {
  checker: string;
  /** The verdict recomputed now; undefined when its inputs were not saved (`why` says which). */
  rerun: CheckResult | undefined;
  saved: Validity | undefined;
  why?: string;
  /** Both exist and disagree: the report says so loudly. */
  disagrees: boolean;
}

/**
 * What a run that saved no checker list (an interrupted drill, or a run from before the list was
 * saved) can still be checked with: the checkers that need no drill-specific bound.
 */
const FALLBACK: readonly CheckerSpec[] = [
  { id: "availability", options: {} },
  { id: "stale-reads" },
  { id: "fault-effect" },
  { id: "durability" },
  { id: "replication-health" },
];

/**
 * Re-runs the drill's own checkers — the list and options it saved in findings.json — on its saved
 * inputs (history.jsonl, observed.json, convergence.json): the one checker contract makes the
 * report judge exactly as the run did, and a disagreement says the artifacts or a checker changed.
 * A drill that saved no list gets the bound-free checkers; its availability is then compared by
 * figures only, since the failover bound is the drill's.
 */
export function reanalyze(d: DrillArtifacts): Reanalysis[] {
  const savedSpecs = d.outcome?.checkers;
  const specs = savedSpecs ?? FALLBACK;
  const input = { history: d.history ?? [], observed: d.observed, samples: d.samples };
  const saved = (name: string) => d.outcome?.verdicts.find((v) => v.checker === name);
  return specs.map((spec) => {
    const name = checkerName(spec);
    if (!d.history)
      return {
        checker: name,
        rerun: undefined,
        saved: saved(name)?.valid,
        why: "history.jsonl is missing",
        disagrees: false,
      };
    const was = saved(name);
    const missing = missingInput(spec, d);
    if (missing)
      return { checker: name, rerun: undefined, saved: was?.valid, why: missing, disagrees: false };
    const rerun = runChecker(spec, input);
    if (!savedSpecs && spec.id === "availability") {
      const now = rerun.figures;
      return {
        checker: name,
        rerun,
        saved: undefined,
        disagrees: was !== undefined && was.figures.requestsFailed !== now.requestsFailed,
        why: `figures only (the failover bound is the drill's): requests failed ${now.requestsFailed}${was ? ` (saved ${was.figures.requestsFailed})` : ""}, longest error window ${fmt(now.longestErrorWindowSeconds)} s, p99 during the fault ${fmt(now.p99DuringMs)} ms`,
      };
    }
    return {
      checker: name,
      rerun,
      saved: was?.valid,
      disagrees: was !== undefined && was.valid !== rerun.valid,
    };
  });
}

/** Why a checker cannot be re-run on this drill's artifacts (its input was not saved), if so. */
function missingInput(spec: CheckerSpec, d: DrillArtifacts): string | undefined {
  const interrupted = d.result.verdict === "interrupted";
  const needs = checkerById(spec.id)?.needs ?? [];
  if (needs.includes("observed") && !d.observed)
    return interrupted
      ? "observed.json is missing: the drill was interrupted before it read the databases"
      : "observed.json is missing (runs before it was saved)";
  // A fault still on when the run was killed may not have shown its effect yet: a history cut off
  // there cannot say the fault had none (the checker would call it "no effect").
  const cutOff =
    interrupted && spec.id === "fault-effect" ? unhealedWithoutEffect(d.history ?? []) : undefined;
  if (cutOff)
    return `the run ended while ${cutOff} was still on, before its effect was seen: the partial history cannot say it had none`;
  if (needs.includes("samples") && !d.samples)
    return interrupted
      ? "convergence.json is missing: the drill was interrupted before the replicas were sampled"
      : "convergence.json is missing (runs before it was saved)";
  return undefined;
}

/** The first fault injected and never healed whose effect the history had not seen, if any. */
function unhealedWithoutEffect(history: readonly HistoryEvent[]): string | undefined {
  const open = new Map<string, boolean>();
  for (const e of faultEvents(history)) {
    if (e.phase === "inject") open.set(e.fault, false);
    else if (e.phase === "heal") open.delete(e.fault);
    else if (open.has(e.fault)) open.set(e.fault, true);
  }
  return [...open].find(([, seen]) => !seen)?.[0];
}
