import type { Progress } from "../progress/progress.ts";
import type { DrillResult, DrillVerdict } from "../store/drill-result.ts";
import type { ScheduleLimits } from "./limits.ts";
import { describeSchedule, sortFaults, type Schedule } from "../faults/schedule.ts";
import { shrinkSchedule, type ShrinkStep } from "./shrink.ts";

export interface ExploreRunOptions {
  /** Runs one schedule on a fresh lab (the CLI's: scheduleDrill through runDrill); injectable for tests. */
  runSchedule: (s: Schedule) => Promise<DrillResult>;
  /** Wall-clock budget of the whole exploration, shrinking included. */
  budgetMs: number;
  /** Lab runs the shrinker may make (the failing schedule itself is not run again). */
  maxShrinkRuns: number;
  progress: Progress;
  /**
   * Saves a schedule as replayable JSON and returns the file: `schedule` before a schedule runs,
   * `minimal` as soon as a smaller one is seen failing (so a killed run still leaves the best so far).
   */
  save: (kind: "schedule" | "minimal", s: Schedule) => string;
  /** Milliseconds on the wall clock; injectable so tests control the budget. */
  now?: () => number;
  limits?: Partial<ScheduleLimits>;
  /**
   * Told what is known so far after every lab run (a schedule's, a shrink candidate's): the failing
   * schedule's outcome already carries the shrinking done so far, so a killed run still leaves it.
   */
  onProgress?: (sofar: ExploreOutcome) => void;
}

/** What became of one schedule: its verdict, or `not-run` with the reason. */
export interface ScheduleOutcome {
  schedule: Schedule;
  verdict: DrillVerdict | "not-run";
  reason?: string;
  findings: string[];
  /** The drill's id: its report folder is `<run-dir>/<drill>/<profile>/`. */
  drill?: string;
  /** The schedule as JSON, for `--replay`. */
  file?: string;
  /** For the failing schedule: the smallest one seen failing. */
  minimal?: MinimalSchedule;
}

export interface MinimalSchedule {
  schedule: Schedule;
  /** Lab runs the shrinking made. */
  runs: number;
  /** Why the shrinking stopped before it had tried everything, if it did. */
  stopped?: string;
  /** The drill of the run that last showed it failing (the failing schedule's own when nothing smaller failed). */
  drill?: string;
  file: string;
  /** Every candidate the shrinker tried, in order, the failing schedule itself first. */
  tried: ShrinkRun[];
}

/** One candidate of the shrinking and what became of it. */
export interface ShrinkRun {
  /** Which step of the shrinker proposed it (shrink.ts). */
  step: ShrinkStep;
  schedule: Schedule;
  /** Whether it counted as failing, so the shrinker kept it. */
  fails: boolean;
  /**
   * Its run's verdict: `fail` for the failing schedule itself (not run again), `not-run` for a
   * candidate the shrinking answered without a lab (the budget was spent, `reason` says so).
   */
  verdict: DrillVerdict | "not-run";
  reason?: string;
  /** The drill it ran as: its report folder is `<run-dir>/<drill>/<profile>/`. */
  drill?: string;
}

export interface ExploreOutcome {
  outcomes: ScheduleOutcome[];
  /** Whether the budget ended the exploration (or its shrinking) before it was done. */
  budgetSpent: boolean;
}

/**
 * Runs the schedules one after another until the first fails, then shrinks that one (shrink.ts)
 * with every candidate run on a fresh lab; the schedules after it are not run (a failure found is
 * worth more shrunk than beside others). A run starts only if it can end within the budget, judged
 * by the longest run so far: once spent, the rest is reported not run and the shrinking stops with
 * the smallest failing schedule seen. Only `fail` counts as failing: a skipped run (a fault this lab
 * cannot inject) shows nothing either way.
 */
export async function exploreSchedules(
  schedules: readonly Schedule[],
  o: ExploreRunOptions,
): Promise<ExploreOutcome> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.budgetMs;
  let longest = 0;
  let budgetSpent = false;
  const fitsBudget = () => {
    if (now() + longest <= deadline) return true;
    budgetSpent = true;
    return false;
  };
  const run = async (s: Schedule) => {
    const started = now();
    const r = await o.runSchedule(s);
    longest = Math.max(longest, now() - started);
    return r;
  };

  async function shrink(
    failing: Schedule,
    drill: string,
    onRun: (sofar: MinimalSchedule) => void,
  ): Promise<MinimalSchedule> {
    const input = JSON.stringify(sortFaults(failing.faults));
    let runs = 0;
    let stopped: string | undefined;
    let last = { drill, file: o.save("minimal", failing) };
    let best: Schedule = { seed: failing.seed, faults: sortFaults(failing.faults) };
    // What became of each call of `fails`, in order, with the step the shrinker says proposed it.
    const calls: ShrinkRun[] = [];
    let step: ShrinkStep = "input";
    const call = (c: Schedule, r: Omit<ShrinkRun, "step" | "schedule">) => {
      calls.push({ step, schedule: c, ...r });
      if (r.fails) best = c;
      return r.fails;
    };
    const sofar = (): MinimalSchedule => ({
      schedule: best,
      runs,
      ...(stopped ? { stopped } : {}),
      ...last,
      tried: [...calls],
    });
    const fails = async (c: Schedule, proposedBy: ShrinkStep): Promise<boolean> => {
      step = proposedBy;
      // The failing schedule itself, which the shrinker tries first: it has just failed.
      if (JSON.stringify(c.faults) === input) return call(c, { fails: true, verdict: "fail", drill });
      if (runs >= o.maxShrinkRuns) {
        stopped ??= `--max-shrink-runs ${o.maxShrinkRuns} reached`;
        return call(c, { fails: false, verdict: "not-run", reason: "--max-shrink-runs reached" });
      }
      if (!fitsBudget()) {
        stopped ??= "the budget was spent";
        return call(c, { fails: false, verdict: "not-run", reason: "the budget was spent" });
      }
      runs++;
      o.progress.step(
        `shrinking ${failing.seed}, run ${runs}: ${describeSchedule(c).join("; ") || "no fault"}`,
      );
      const r = await run(c);
      if (r.verdict === "fail") last = { drill: r.drill, file: o.save("minimal", c) };
      const kept = call(c, {
        fails: r.verdict === "fail",
        verdict: r.verdict,
        ...(r.reason ? { reason: r.reason } : {}),
        drill: r.drill,
      });
      onRun(sofar());
      return kept;
    };
    // One call more than the lab runs allowed: the first is the failing schedule, answered above.
    const maxRuns = o.maxShrinkRuns + 1;
    const r = await shrinkSchedule(failing, fails, { maxRuns, limits: o.limits });
    // The shrinker stops by itself once its calls are spent, without asking for one more.
    if (r.runs >= maxRuns) stopped ??= `--max-shrink-runs ${o.maxShrinkRuns} reached`;
    return { schedule: r.schedule, runs, ...(stopped ? { stopped } : {}), ...last, tried: calls };
  }

  const outcomes: ScheduleOutcome[] = [];
  const told = () => o.onProgress?.({ outcomes: [...outcomes], budgetSpent });
  let failed = false;
  for (const [i, s] of schedules.entries()) {
    const notRun = (reason: string) =>
      outcomes.push({ schedule: s, verdict: "not-run", reason, findings: [] });
    if (failed) notRun("the explorer stops at the first failing schedule");
    else if (!fitsBudget()) notRun("the budget was spent");
    else {
      const file = o.save("schedule", s);
      o.progress.step(
        `schedule ${i + 1}/${schedules.length} (seed ${s.seed}): ${describeSchedule(s).join("; ") || "no fault"}`,
      );
      const r = await run(s);
      const outcome: ScheduleOutcome = {
        schedule: s,
        verdict: r.verdict,
        ...(r.reason ? { reason: r.reason } : {}),
        findings: r.findings,
        drill: r.drill,
        file,
      };
      // In the list before its shrinking, which then fills in `minimal` run by run.
      outcomes.push(outcome);
      told();
      if (r.verdict === "fail") {
        failed = true;
        outcome.minimal = await shrink(s, r.drill, (m) => {
          outcome.minimal = m;
          told();
        });
      }
    }
  }
  told();
  return { outcomes, budgetSpent };
}

/** 0 only when every schedule ran and passed; 1 otherwise (failed, skipped, or not run). */
export function exploreExitCode(outcomes: readonly ScheduleOutcome[]): 0 | 1 {
  return outcomes.length > 0 && outcomes.every((o) => o.verdict === "pass") ? 0 : 1;
}
