import path from "node:path";
import { z } from "zod";
import { writeJsonAtomically } from "../util/write-json.ts";
import { readJsonFile } from "./json-file.ts";

export const EXPLORE_FILE = "explore.json";

// The reader takes what a report needs to be drawn, and no more: a fault is a kind and a target as
// strings (a report from an older or newer catalogue still renders), unknown fields are dropped.
const FaultSchema = z.object({
  kind: z.string(),
  target: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).optional(),
  startSeconds: z.number().min(0),
  durationSeconds: z.number().min(0),
});

const VerdictSchema = z.enum(["pass", "fail", "skipped", "interrupted", "not-run"]);

/** One candidate of the shrinking: the step that proposed it, its faults, what its run said. */
const TriedSchema = z.object({
  step: z.enum(["input", "drop-faults", "shorten", "move-later"]),
  faults: z.array(FaultSchema),
  /** Whether it counted as failing (the shrinker kept it). */
  fails: z.boolean(),
  /** `fail` for the input (the failing schedule, not run again); `not-run` when no lab ran it. */
  verdict: VerdictSchema,
  reason: z.string().optional(),
  /** The drill it ran as (schedule-drill.ts `scheduleId`): its section's anchor with the profile. */
  drill: z.string().optional(),
});

/** The smallest schedule seen failing, and how the shrinking got there. */
const MinimalSchema = z.object({
  seed: z.number(),
  faults: z.array(FaultSchema),
  /** The drill of the run that last showed it failing. */
  drill: z.string().optional(),
  /** The schedule as JSON for `--replay`, relative to the run folder. */
  file: z.string(),
  /** Lab runs the shrinking made. */
  runs: z.number(),
  /** Why the shrinking stopped before it had tried everything, if it did. */
  stopped: z.string().optional(),
  tried: z.array(TriedSchema),
});

const ExploredScheduleSchema = z.object({
  /** 1-based, in the order the schedules were generated (or 1 for `--replay`). */
  number: z.number().int().min(1),
  seed: z.number(),
  faults: z.array(FaultSchema),
  verdict: VerdictSchema,
  reason: z.string().optional(),
  findings: z.array(z.string()),
  /** The drill it ran as; absent when it was not run. */
  drill: z.string().optional(),
  /** The schedule as JSON for `--replay`, relative to the run folder. */
  file: z.string().optional(),
  minimal: MinimalSchema.optional(),
});

export const ExploreReportSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** False while the run goes on (or when it was killed): `planned` says how many were meant to run. */
  complete: z.boolean(),
  /** `--seed`: the run's seed (absent with `--replay`). */
  runSeed: z.number().optional(),
  /** `--replay`: the file the one schedule came from, as given. */
  replay: z.string().optional(),
  /** The profile every schedule ran on: a drill's section is anchored by its id and this. */
  profile: z.string(),
  /** `--mutant`: the mutant planted in every lab. */
  mutant: z.string().optional(),
  budgetMinutes: z.number(),
  /** Whether the budget ended the exploration (or its shrinking) before it was done. */
  budgetSpent: z.boolean(),
  maxShrinkRuns: z.number(),
  /** How many schedules the run was to explore. */
  planned: z.number().int().min(0),
  /** The schedules with an outcome so far, in order. */
  schedules: z.array(ExploredScheduleSchema),
});

/** `reports/<run-id>/explore.json`: what `firedrill explore` ran, found and shrank. */
export type ExploreReport = z.infer<typeof ExploreReportSchema>;
export type ExploredSchedule = z.infer<typeof ExploredScheduleSchema>;
export type ExploredMinimal = z.infer<typeof MinimalSchema>;
export type TriedShrink = z.infer<typeof TriedSchema>;
export type ReportedFault = z.infer<typeof FaultSchema>;

/** Written after every lab run (atomically) and at the end, so a killed run keeps what it found. */
export function writeExploreReport(runDir: string, report: ExploreReport): void {
  writeJsonAtomically(path.join(runDir, EXPLORE_FILE), report);
}

/**
 * The run's explore.json, or undefined when the run was not an exploration; one line naming the file
 * and what is wrong when it cannot be read, is not JSON, or is not an explore report.
 */
export function readExploreReport(runDir: string): ExploreReport | undefined {
  return readJsonFile(path.join(runDir, EXPLORE_FILE), ExploreReportSchema, "an explore report");
}
