import path from "node:path";
import { z } from "zod";
import { writeJsonAtomically } from "../util/write-json.ts";
import { readJsonFile } from "./json-file.ts";

export const MUTANTS_FILE = "mutants.json";

/** Killed: a drill failed on it. Survived: its drills passed. Skipped: no drill could run (never killed). */
export const MutantStatusSchema = z.enum(["killed", "survived", "skipped"]);
export type MutantStatus = z.infer<typeof MutantStatusSchema>;

/** One drill run against one mutant. */
export const MutantDrillRunSchema = z.object({
  drill: z.string(),
  /** The expectation ids the drill had to break, as the mutant names them (`failover`, `alert:…#fires`). */
  expected: z.string(),
  verdict: z.string(),
  /** Why the drill was skipped. */
  reason: z.string().optional(),
  /** The unmet expectation that matched `expected`, when one did. */
  matched: z.string().optional(),
  findings: z.array(z.string()),
  /** The drill's folder, relative to the run folder. */
  dir: z.string(),
  /** Wall time: lab up, drill, artifacts, lab down. */
  seconds: z.number(),
});
export type MutantDrillRun = z.infer<typeof MutantDrillRunSchema>;

export const MutantResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  layer: z.string(),
  profile: z.string(),
  why: z.string(),
  awaits: z.string().optional(),
  status: MutantStatusSchema,
  /** Killed, but none of the failed drills broke what was expected: killed for another reason. */
  unexpectedFinding: z.boolean().optional(),
  /** What killed it: the expected expectation when it broke, else the failed drill's first finding. */
  killedBy: z.string().optional(),
  /** Why it was skipped. */
  reason: z.string().optional(),
  seconds: z.number(),
  drills: z.array(MutantDrillRunSchema),
});
export type MutantResult = z.infer<typeof MutantResultSchema>;

/** `reports/<run-id>/mutants.json`. */
export const MutantsReportSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** False while the run goes on (or when it was interrupted): `selected` says how many were meant to run. */
  complete: z.boolean(),
  selected: z.number(),
  killed: z.number(),
  survived: z.number(),
  skipped: z.number(),
  /** killed / (killed + survived); null when nothing was killed or survived. */
  score: z.number().nullable(),
  mutants: z.array(MutantResultSchema),
});
export type MutantsReport = z.infer<typeof MutantsReportSchema>;

/** Written after every mutant (atomically), so an interrupted run keeps what it had judged. */
export function writeMutantsReport(runDir: string, report: MutantsReport): void {
  writeJsonAtomically(path.join(runDir, MUTANTS_FILE), report);
}

/**
 * The run's mutants.json, or undefined when the run was not a mutants run; one line naming the file
 * and what is wrong when it cannot be read, is not JSON, or is not a mutants report.
 */
export function readMutantsReport(runDir: string): MutantsReport | undefined {
  return readJsonFile(path.join(runDir, MUTANTS_FILE), MutantsReportSchema, "a mutants report");
}

/** The score as people read it: "83 % (15 of 18 killed)". */
export function formatScore(r: Pick<MutantsReport, "score" | "killed" | "survived">): string {
  if (r.score === null) return "no score (no mutant was killed or survived)";
  return `${Math.round(r.score * 100)} % (${r.killed} of ${r.killed + r.survived} killed)`;
}
