import type { CheckResult, Waiver } from "../store/check-result.ts";
import { describeIssues } from "../util/zod-issues.ts";
import {
  checkerName,
  type CheckerNeed,
  type CheckerSpec,
  type CheckInput,
  type NeededInput,
} from "./checker.ts";
import { safely } from "./check-result.ts";
import { checkerById } from "./registry.ts";

/** The file each input of a checker comes from, as the messages name it. */
export const NEED_FILE: Record<CheckerNeed, string> = {
  observed: "observed.json",
  samples: "convergence.json",
};

/**
 * One checker spec run on the input: the checker the registry has under the spec's id, with the
 * spec's options checked against its schema and its declared inputs present. Anything that stops it
 * (an unknown id, bad options, a missing input, a throw) makes the result `unknown` with the reason.
 */
export function runChecker(spec: CheckerSpec, input: CheckInput): CheckResult {
  const name = checkerName(spec);
  return safely(name, () => {
    const checker = checkerById(spec.id);
    if (!checker) throw new Error(`no checker "${spec.id}" in this firedrill`);
    const options = checker.options.safeParse(spec.options);
    if (!options.success) throw new Error(`options of ${name}: ${describeIssues(options.error)}`);
    for (const need of checker.needs)
      if (input[need] === undefined) throw new Error(`needs ${NEED_FILE[need]}, which this run did not save`);
    return { ...checker.check(input as NeededInput, options.data), checker: name };
  });
}

/** Every spec run on the one input, in order; a checker that cannot run is `unknown`, never dropped. */
export function runCheckers(specs: readonly CheckerSpec[], input: CheckInput): CheckResult[] {
  return specs.map((spec) => runChecker(spec, input));
}

/** The results that fail the drill for being unknown: every `unknown` nobody waived. */
export function unwaivedUnknowns(
  results: readonly CheckResult[],
  waivers: readonly Waiver[] = [],
): CheckResult[] {
  return results.filter((v) => v.valid === "unknown" && !waivers.some((w) => w.checker === v.checker));
}
