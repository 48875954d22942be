import type { z } from "zod";
import type { HistoryEvent } from "../history/history.ts";
import type { CheckResult } from "../store/check-result.ts";
import type { ConvergenceSample } from "../store/convergence-samples.ts";
import type { ObservedState } from "../store/observed.ts";
import { hasShape } from "../util/has-shape.ts";

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

/** What a checker reads besides the history; the runner says which file is missing before it runs. */
export type CheckerNeed = "observed" | "samples";

/** The input with what the checker declared it needs (the runner has made sure it is there). */
export type NeededInput = Required<CheckInput>;

/**
 * A checker (Jepsen's protocol): an id, its options as a zod schema (the only definition of them),
 * what it needs besides the history, the figures it reports, and `check`. One file of
 * `checkers/kinds/` each, its default export (`defineChecker`), found by the registry: the saved
 * specs, the report's re-run and the key figures all derive from that one list.
 */
export interface Checker<Options = unknown, Figure extends string = string> {
  readonly id: string;
  /** What it judges, one line (ARCHITECTURE.md and the report's legend quote it). */
  readonly description: string;
  readonly options: z.ZodType<Options>;
  readonly needs: readonly CheckerNeed[];
  /** Every figure it reports. */
  readonly figures: readonly Figure[];
  /** The figures a drill's summary lifts as key figures (null where the checker did not run). */
  readonly keyFigures: readonly Figure[];
  check(input: NeededInput, options: Options): CheckResult;
  /** This checker with these options, as the plain data a drill runs and saves. */
  spec(options: Options, name?: string): CheckerSpec;
}

/**
 * A checker and its options, as plain data: saved with the drill's findings so `firedrill report`
 * rebuilds exactly the checkers the run used. `name` tells two of one kind apart (steady state
 * before and after).
 */
export interface CheckerSpec {
  id: string;
  name?: string;
  options?: unknown;
}

export const checkerName = (spec: Pick<CheckerSpec, "id" | "name">) => spec.name ?? spec.id;

export function defineChecker<Options, Figure extends string>(
  c: Omit<Checker<Options, Figure>, "spec">,
): Checker<Options, Figure> {
  return {
    ...c,
    spec: (options, name) => ({
      id: c.id,
      ...(name ? { name } : {}),
      ...(options === undefined ? {} : { options }),
    }),
  };
}

export const isChecker = (value: unknown): value is Checker =>
  hasShape<Checker>(value, {
    string: ["id"],
    function: ["check"],
    array: ["needs", "figures", "keyFigures"],
    object: ["options"],
  });
