import path from "node:path";
import type { ExploreOutcome, ScheduleOutcome, ShrinkRun } from "./explore-schedules.ts";
import type { Schedule } from "../faults/schedule.ts";
import type { ExploreReport, ExploredSchedule, TriedShrink } from "../store/explore-file.ts";

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
