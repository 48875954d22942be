import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeJsonAtomically } from "../util/write-json.ts";
import { z } from "zod";
import { describe } from "../util/errors.ts";
import { describeIssues } from "../util/zod-issues.ts";
import type { ExploreOutcome, ScheduleOutcome, ShrinkRun } from "./explore-schedules.ts";
import type { Schedule } from "./schedule.ts";

export const EXPLORE_FILE = "explore.json";

// The reader takes what a report needs to be drawn, and no more: a fault is a kind and a target as
// strings (a report from an older or newer catalogue still renders), unknown fields are dropped.
const FaultSchema = z.object({
  kind: z.string(),
  target: z.string().nullable(),
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

/** What the command knows of its run before any schedule ran. */
export interface ExploreRunInfo {
  runId: string;
  startedAt: string;
  runSeed?: number;
  replay?: string;
  profile: string;
  mutant?: string;
  budgetMinutes: number;
  maxShrinkRuns: number;
  planned: number;
}

/** A saved schedule's file as the report links it: relative to the run folder. */
const inRun = (runDir: string, file: string) => path.relative(runDir, file).split(path.sep).join("/");

const faultsOf = (s: Schedule) => s.faults.map((f) => ({ ...f }));

function tried(t: ShrinkRun): TriedShrink {
  return {
    step: t.step,
    faults: faultsOf(t.schedule),
    fails: t.fails,
    verdict: t.verdict,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.drill ? { drill: t.drill } : {}),
  };
}

function explored(runDir: string, x: ScheduleOutcome, i: number): ExploredSchedule {
  const m = x.minimal;
  return {
    number: i + 1,
    seed: x.schedule.seed,
    faults: faultsOf(x.schedule),
    verdict: x.verdict,
    ...(x.reason ? { reason: x.reason } : {}),
    findings: [...x.findings],
    ...(x.drill ? { drill: x.drill } : {}),
    ...(x.file ? { file: inRun(runDir, x.file) } : {}),
    ...(m
      ? {
          minimal: {
            seed: m.schedule.seed,
            faults: faultsOf(m.schedule),
            ...(m.drill ? { drill: m.drill } : {}),
            file: inRun(runDir, m.file),
            runs: m.runs,
            ...(m.stopped ? { stopped: m.stopped } : {}),
            tried: m.tried.map(tried),
          },
        }
      : {}),
  };
}

/** The report of an exploration so far; complete once `finishedAt` is given. */
export function exploreReport(
  runDir: string,
  info: ExploreRunInfo,
  sofar: ExploreOutcome,
  finishedAt?: string,
): ExploreReport {
  return {
    runId: info.runId,
    startedAt: info.startedAt,
    ...(finishedAt ? { finishedAt } : {}),
    complete: finishedAt !== undefined,
    ...(info.runSeed !== undefined ? { runSeed: info.runSeed } : {}),
    ...(info.replay !== undefined ? { replay: info.replay } : {}),
    profile: info.profile,
    ...(info.mutant ? { mutant: info.mutant } : {}),
    budgetMinutes: info.budgetMinutes,
    budgetSpent: sofar.budgetSpent,
    maxShrinkRuns: info.maxShrinkRuns,
    planned: info.planned,
    schedules: sofar.outcomes.map((x, i) => explored(runDir, x, i)),
  };
}

/** Written after every lab run (atomically) and at the end, so a killed run keeps what it found. */
export function writeExploreReport(runDir: string, report: ExploreReport): void {
  writeJsonAtomically(path.join(runDir, EXPLORE_FILE), report);
}

/**
 * The run's explore.json, or undefined when the run was not an exploration; one line naming the file
 * and what is wrong when it cannot be read, is not JSON, or is not an explore report.
 */
export function readExploreReport(runDir: string): ExploreReport | undefined {
  const file = path.join(runDir, EXPLORE_FILE);
  if (!existsSync(file)) return undefined;
  const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const what = err instanceof SyntaxError ? "not JSON" : "cannot be read";
    throw new Error(`${file}: ${what}: ${oneLine(describe(err))}`);
  }
  const r = ExploreReportSchema.safeParse(json);
  if (!r.success) throw new Error(`${file}: not an explore report: ${describeIssues(r.error)}`);
  return r.data;
}
