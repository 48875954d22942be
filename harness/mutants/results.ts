import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeJsonAtomically } from "../util/write-json.ts";
import type { DrillResult } from "../report/run-report.ts";
import { matchingFinding, showFinding, type ExpectedKill, type Mutant } from "./mutant.ts";

export const MUTANTS_FILE = "mutants.json";

/** Killed: a drill failed on it. Survived: its drills passed. Skipped: no drill could run (never killed). */
export type MutantStatus = "killed" | "survived" | "skipped";

/** One drill run against one mutant. */
export interface MutantDrillRun {
  drill: string;
  /** The finding that had to appear (a substring, or `/pattern/`). */
  expected: string;
  verdict: string;
  /** Why the drill was skipped. */
  reason?: string;
  /** The finding that matched `expected`, when one did. */
  matched?: string;
  findings: string[];
  /** The drill's folder, relative to the run folder. */
  dir: string;
  /** Wall time: lab up, drill, artifacts, lab down. */
  seconds: number;
}

export interface MutantResult {
  id: string;
  title: string;
  layer: string;
  profile: string;
  why: string;
  awaits?: string;
  status: MutantStatus;
  /** Killed, but none of the failed drills said what was expected: killed for another reason. */
  unexpectedFinding?: boolean;
  /** The finding that killed it: the expected one when it appeared, else the failed drill's first. */
  killedBy?: string;
  /** Why it was skipped. */
  reason?: string;
  seconds: number;
  drills: MutantDrillRun[];
}

/** `reports/<run-id>/mutants.json`. */
export interface MutantsReport {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  /** False while the run goes on (or when it was interrupted): `selected` says how many were meant to run. */
  complete: boolean;
  selected: number;
  killed: number;
  survived: number;
  skipped: number;
  /** killed / (killed + survived); null when nothing was killed or survived. */
  score: number | null;
  mutants: MutantResult[];
}

/** One drill's result judged against the kill the mutant expects of it. */
export function judgeDrillRun(
  expected: ExpectedKill,
  result: Pick<DrillResult, "verdict" | "reason" | "findings">,
  dir: string,
  seconds: number,
): MutantDrillRun {
  const matched = result.verdict === "fail" ? matchingFinding(result.findings, expected.finding) : undefined;
  return {
    drill: expected.drill,
    expected: showFinding(expected.finding),
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

/** Written after every mutant (atomically), so an interrupted run keeps what it had judged. */
export function writeMutantsReport(runDir: string, report: MutantsReport): void {
  writeJsonAtomically(path.join(runDir, MUTANTS_FILE), report);
}

/** The run's mutants.json, or undefined when the run was not a mutants run (or the file is unreadable). */
export function readMutantsReport(runDir: string): MutantsReport | undefined {
  const file = path.join(runDir, MUTANTS_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as MutantsReport;
  if (!Array.isArray(parsed.mutants)) throw new Error(`${file} has no mutants list`);
  return parsed;
}

/** The score as people read it: "83 % (15 of 18 killed)". */
export function formatScore(r: Pick<MutantsReport, "score" | "killed" | "survived">): string {
  if (r.score === null) return "no score (no mutant was killed or survived)";
  return `${Math.round(r.score * 100)} % (${r.killed} of ${r.killed + r.survived} killed)`;
}
