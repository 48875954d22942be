import type { AlertResult, DrillResult, Expectation } from "../store/drill-result.ts";
import type { CheckResult, Waiver } from "../store/check-result.ts";
import type { CheckerSpec } from "../checkers/checker.ts";
import { unwaivedUnknowns } from "../checkers/run-checkers.ts";
import { consistencySummary } from "../checkers/kinds/consistency.ts";
import type { ConvergenceSample } from "../store/convergence-samples.ts";
import type { ObservedState } from "../store/observed.ts";

/** What a drill concluded, before it becomes result.json and findings.json. */
export interface DrillOutcome {
  /** Every checker's result (findings.json's `verdicts`). */
  results: CheckResult[];
  /** Key figures for the summary (failover seconds, writes lost, …). */
  figures: Record<string, number | null>;
  /** What this profile was expected to show, and whether it did; unmet expectations fail the drill. */
  expectations: Expectation[];
  /** The alerts this drill asserted, with their detect / notify / resolve times. */
  alerts?: AlertResult[];
  /** The checkers the drill ran, with their options: `firedrill report` rebuilds exactly these. */
  checkers?: CheckerSpec[];
  /** Checkers whose `unknown` the drill accepts, each with its reason; any other `unknown` fails it. */
  waivers?: Waiver[];
  /** The checkers' inputs besides the history, saved as observed.json and convergence.json. */
  observed?: ObservedState;
  samples?: readonly ConvergenceSample[];
}

/**
 * The verdict: pass only when every expectation of this profile was met and no checker stayed
 * `unknown` without the drill's written waiver (a checker that could not decide has not shown
 * anything, and a crashed checker is unknown).
 */
export function summarize(result: DrillResult, outcome: DrillOutcome): void {
  result.figures = { ...outcome.figures };
  // Unmet expectations first: they are why a drill failed (a seed drill's checker findings are
  // often exactly what it expected to catch), and the report and test output quote the first.
  const unmet = outcome.expectations.filter((e) => !e.met);
  for (const e of unmet)
    result.findings.push(`expected: ${e.description}${e.detail ? ` — ${e.detail}` : ""}`);
  const unknown = unwaivedUnknowns(outcome.results, outcome.waivers);
  for (const v of unknown)
    result.findings.push(
      `${v.checker} could not decide (unknown, not waived): ${v.findings.map((f) => f.message).join("; ") || "no reason given"}`,
    );
  for (const v of outcome.results) {
    if (unknown.includes(v)) continue;
    for (const f of v.findings) result.findings.push(`${v.checker}: ${f.message}`);
  }
  result.verdict = unmet.length === 0 && unknown.length === 0 ? "pass" : "fail";
  result.expectations = outcome.expectations;
  const consistency = outcome.results.find((r) => r.checker === "consistency");
  const summary = consistency && consistencySummary(consistency);
  if (summary) result.consistency = summary;
  if (outcome.alerts) result.alerts = outcome.alerts;
}

/** findings.json's content: the outcome without the inputs saved beside it. */
export function savedFindings(o: DrillOutcome) {
  return {
    verdicts: o.results,
    figures: o.figures,
    expectations: o.expectations,
    ...(o.alerts ? { alerts: o.alerts } : {}),
    ...(o.checkers ? { checkers: o.checkers } : {}),
    ...(o.waivers ? { waivers: o.waivers } : {}),
    ...(o.observed ? { observed: o.observed } : {}),
    ...(o.samples ? { samples: o.samples } : {}),
  };
}
