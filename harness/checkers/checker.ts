import type { HistoryEvent } from "../history/history.ts";
import type { SlaveState } from "../db/replication.ts";
import type { DbSnapshot } from "./db-snapshot.ts";
import { checkAvailability, type AvailabilityBounds } from "./availability.ts";
import { checkConvergence, type ConvergenceOptions, type ConvergenceSample } from "./convergence.ts";
import { checkDurability } from "./durability.ts";
import { checkFaultEffect } from "./fault-effect.ts";
import { checkReplicationHealth } from "./replication-health.ts";
import { checkStaleReads } from "./stale-reads.ts";
import { checkSteadyState, type SteadyStateSpec } from "./steady-state.ts";
import { safely, type Verdict } from "./verdict.ts";

/**
 * `observed.json`: the databases as the drill left them (the run's rows and each replica's thread
 * state), plus replica states the drill read at named moments (e.g. "conflict").
 */
export interface ObservedState {
  /** Prefix of every row the drill wrote. */
  tag: string;
  /** History time (ms) when it was read. */
  time: number;
  snapshots: Partial<Record<"node1" | "node2", DbSnapshot>>;
  replication: Partial<Record<"node1" | "node2", SlaveState | null>>;
  /** Replica states read at other named moments of the drill. */
  moments?: Record<string, Partial<Record<"node1" | "node2", SlaveState | null>>>;
  /** What could not be read, and why. */
  errors: string[];
}

/**
 * The one input every checker reads its part of: the history (history.jsonl), the databases at the
 * end (observed.json) and the convergence samples (convergence.json). A run and a rebuilt report
 * hand the same input to the same checkers, so they judge alike.
 */
export interface CheckInput {
  history: readonly HistoryEvent[];
  observed?: ObservedState;
  samples?: readonly ConvergenceSample[];
}

/**
 * A checker and its options, as plain data: saved with the drill's findings so `firedrill report`
 * rebuilds exactly the checkers the run used. `name` tells two of one kind apart (steady state
 * before and after).
 */
export type CheckerSpec = { name?: string } & (
  | { id: "availability"; options: AvailabilityBounds }
  | { id: "durability" }
  | { id: "stale-reads" }
  | { id: "convergence"; options: ConvergenceOptions }
  | { id: "replication-health"; options?: { moment?: string } }
  | { id: "steady-state"; options: SteadyStateSpec }
  | { id: "fault-effect" }
);

export interface Checker {
  readonly name: string;
  check(input: CheckInput): Verdict;
}

export const checkerName = (spec: CheckerSpec) => spec.name ?? spec.id;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`needs ${what}, which this run did not save`);
  return value;
}

function observedNodes<T>(
  o: ObservedState,
  pick: (o: ObservedState) => Partial<Record<"node1" | "node2", T>>,
) {
  const part = pick(o);
  const node1 = part.node1;
  const node2 = part.node2;
  if (node1 === undefined || node2 === undefined)
    throw new Error(`a database could not be read at the end: ${o.errors.join("; ") || "no reason saved"}`);
  return { node1, node2 };
}

/** The checker a spec names. */
export function checkerFor(spec: CheckerSpec): Checker {
  const name = checkerName(spec);
  const check = (input: CheckInput): Verdict => {
    switch (spec.id) {
      case "availability":
        return checkAvailability(input.history, spec.options);
      case "stale-reads":
        return checkStaleReads(input.history);
      case "fault-effect":
        return checkFaultEffect(input.history);
      case "steady-state":
        return checkSteadyState(input.history, spec.options);
      case "durability": {
        const o = need(input.observed, "observed.json");
        return checkDurability(
          input.history,
          observedNodes(o, (x) => x.snapshots),
          o.tag,
        );
      }
      case "convergence":
        return checkConvergence(input.history, need(input.samples, "convergence.json"), spec.options);
      case "replication-health": {
        const o = need(input.observed, "observed.json");
        const moment = spec.options?.moment;
        const states = moment
          ? need(o.moments?.[moment], `the replica states at "${moment}"`)
          : o.replication;
        return checkReplicationHealth({
          node1: states.node1 ?? undefined,
          node2: states.node2 ?? undefined,
        });
      }
    }
  };
  return { name, check: (input) => ({ ...check(input), checker: name }) };
}

/**
 * Runs every checker on the input, worst first never hidden: a checker that throws is `unknown`
 * with the reason (and fails the drill unless the drill waives it).
 */
export function runCheckers(specs: readonly CheckerSpec[], input: CheckInput): Verdict[] {
  return specs.map((spec) => {
    const c = checkerFor(spec);
    return safely(c.name, () => c.check(input));
  });
}

/** A checker whose `unknown` a drill accepts, and why (e.g. a seed drill that cannot read a node). */
export interface Waiver {
  checker: string;
  reason: string;
}

/** The verdicts that fail the drill for being unknown: every `unknown` nobody waived. */
export function unwaivedUnknowns(verdicts: readonly Verdict[], waivers: readonly Waiver[] = []): Verdict[] {
  return verdicts.filter((v) => v.valid === "unknown" && !waivers.some((w) => w.checker === v.checker));
}
