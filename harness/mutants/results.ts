import type { DrillResult } from "../store/drill-result.ts";
import { matchingExpectation, showKill, type ExpectedKill, type Mutant } from "./mutant.ts";
import type { MutantDrillRun, MutantResult, MutantsReport, MutantStatus } from "../store/mutants-file.ts";

/** One drill's result judged against the kill the mutant expects of it. */
export function judgeDrillRun(
  expected: ExpectedKill,
  result: Pick<DrillResult, "verdict" | "reason" | "findings" | "expectations">,
  dir: string,
  seconds: number,
): MutantDrillRun {
  const matched =
    result.verdict === "fail" ? matchingExpectation(result.expectations ?? [], expected) : undefined;
  return {
    drill: expected.drill,
    expected: showKill(expected),
    verdict: result.verdict,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(matched ? { matched } : {}),
    findings: result.findings,
    dir,
    seconds: Math.round(seconds),
  };
}

/**
 * A mutant's status from its drills: killed when any drill failed (flagged when none failed with
 * the expected finding), survived when none failed and one passed, skipped when none ran to a verdict.
 */
export function judgeMutant(m: Mutant, runs: readonly MutantDrillRun[]): MutantResult {
  const base = {
    id: m.id,
    title: m.title,
    layer: m.layer,
    profile: m.profile,
    why: m.why,
    ...(m.awaits ? { awaits: m.awaits } : {}),
    seconds: runs.reduce((s, r) => s + r.seconds, 0),
    drills: [...runs],
  };
  const expectedKill = runs.find((r) => r.matched !== undefined);
  if (expectedKill)
    return { ...base, status: "killed", killedBy: `${expectedKill.drill}: ${expectedKill.matched}` };
  const failed = runs.find((r) => r.verdict === "fail");
  if (failed)
    return {
      ...base,
      status: "killed",
      unexpectedFinding: true,
      killedBy: `${failed.drill}: ${failed.findings[0] ?? "(the drill failed without a finding)"}`,
    };
  if (runs.some((r) => r.verdict === "pass")) return { ...base, status: "survived" };
  // Skipped, or any verdict that is not pass or fail (an interrupted drill): never a kill.
  return {
    ...base,
    status: "skipped",
    reason: runs.map((r) => `${r.drill}: ${r.reason ?? r.verdict}`).join("; ") || "no drill ran",
  };
}

export function mutantsReport(
  runId: string,
  startedAt: string,
  selected: number,
  mutants: readonly MutantResult[],
  finishedAt?: string,
): MutantsReport {
  const count = (s: MutantStatus) => mutants.filter((m) => m.status === s).length;
  const killed = count("killed");
  const survived = count("survived");
  return {
    runId,
    startedAt,
    ...(finishedAt ? { finishedAt } : {}),
    complete: finishedAt !== undefined,
    selected,
    killed,
    survived,
    skipped: count("skipped"),
    score: killed + survived === 0 ? null : killed / (killed + survived),
    mutants: [...mutants],
  };
}
