import { randomInt } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { ProfileName } from "../../config/profiles.ts";
import { drillSettings } from "../../drills/context.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { parseExploreOptions, type ExploreOptions } from "../../explore/explore-options.ts";
import {
  exploreExitCode,
  exploreSchedules,
  type ExploreOutcome,
  type ScheduleOutcome,
} from "../../explore/explore-schedules.ts";
import { exploreReport, type ExploreRunInfo } from "../../explore/explore-report.ts";
import { writeExploreReport } from "../../store/explore-file.ts";
import { generateSchedules } from "../../explore/generate.ts";
import { scheduleSpec } from "../../drills/schedules/schedule-spec.ts";
import { describeSchedule, type Schedule } from "../../faults/schedule.ts";
import { newRunId } from "../../lab/run-id.ts";
import { prepareEngineAndImages } from "../../providers/start-lab.ts";
import type { Mutation } from "../../config/mutation.ts";
import type { Progress } from "../../progress/progress.ts";
import { closeRun } from "../../report/close-run.ts";
import { openRun, type RunStore } from "../../store/run-store.ts";
import type { DrillResult } from "../../store/drill-result.ts";
import { withProvider, type Settings } from "../../settings/settings.ts";
import type { CommandContext } from "../command-context.ts";
import { shownFindings } from "../shown-findings.ts";

/** What `explore` needs of the world; tests replace the lab runs with a model of the stack. */
export interface ExploreDeps {
  /** Runs one schedule on a fresh lab and returns its result (default: scheduleDrill through runDrill). */
  runSchedule?: (
    s: Schedule,
    run: {
      run: RunStore;
      profile: ProfileName;
      settings: Settings;
      env: NodeJS.ProcessEnv;
      progress: Progress;
      mutant?: { id: string; mutation: Mutation };
    },
  ) => Promise<DrillResult>;
  /** Makes sure the engine answers and the images are built (default: prepareEngineAndImages). */
  prepare?: (settings: Settings, progress: Progress) => Promise<void>;
  /** Wall-clock milliseconds, for the budget. */
  now?: () => number;
}

const realRun: NonNullable<ExploreDeps["runSchedule"]> = (s, r) => {
  // Strict: every profile is held to what an HA stack must do, so the seed's weaknesses show.
  const spec = scheduleSpec(s, { strict: true });
  return runDrill(spec, r.profile, {
    folder: r.run.drill(spec.id, r.profile),
    settings: drillSettings(r.settings, r.env),
    progress: r.progress,
    ...(r.mutant ? { mutant: r.mutant } : {}),
  });
};

/**
 * `firedrill explore`: seeded fault schedules from the catalogue, each run on a fresh lab under the
 * recorded load and judged against every invariant of the profile; the first failing one is shrunk
 * and saved, replayable with `--replay`. Exit 0 when every schedule passed (or `--plan-only`), 1 when
 * one failed, was skipped or was not run, 2 on usage or environment errors.
 */
export async function exploreCommand(
  values: Record<string, unknown>,
  { settings: envSettings, progress, env }: CommandContext,
  deps: ExploreDeps = {},
): Promise<number> {
  const settings = withProvider(envSettings, values.provider);
  const o = parseExploreOptions(values, () => randomInt(0, 2 ** 32));
  const schedules = o.replay ? [o.replay.schedule] : generateSchedules(o.seed, o.schedules);
  if (o.planOnly) {
    progress.close?.();
    process.stdout.write(o.json ? jsonLines(o, schedules.map(planned)) : text(o, schedules.map(planned)));
    return 0;
  }
  if (settings.provider === "testcontainers")
    await (deps.prepare ?? prepareEngineAndImages)(settings, progress);
  const run = openRun({ reportsDir: settings.reportsDir, runId: newRunId() });
  const { id: runId, dir: runDir } = run;
  // explore.json, for the report's Exploration section: rewritten after every lab run and at the end.
  const info: ExploreRunInfo = {
    runId,
    startedAt: new Date().toISOString(),
    ...(o.replay ? { replay: o.replay.file } : { runSeed: o.seed }),
    profile: o.profile,
    ...(o.mutant ? { mutant: o.mutant.id } : {}),
    budgetMinutes: o.budgetMinutes,
    maxShrinkRuns: o.maxShrinkRuns,
    planned: schedules.length,
  };
  const record = (sofar: ExploreOutcome, finishedAt?: string) =>
    writeExploreReport(runDir, exploreReport(runDir, info, sofar, finishedAt));
  record({ outcomes: [], budgetSpent: false });
  progress.step(
    `explore ${source(o)} (${o.profile}${o.mutant ? `, mutant ${o.mutant.id} planted` : ""}): ${schedules.length} schedule(s), budget ${o.budgetMinutes} min; results in ${path.relative(process.cwd(), runDir)}`,
  );
  const runOne = deps.runSchedule ?? realRun;
  const mutant = o.mutant ? { id: o.mutant.id, mutation: o.mutant.mutation(settings.clusterDir) } : undefined;
  const result = await exploreSchedules(schedules, {
    runSchedule: (s) =>
      runOne(s, { run, profile: o.profile, settings, env, progress, ...(mutant ? { mutant } : {}) }),
    budgetMs: o.budgetMinutes * 60_000,
    maxShrinkRuns: o.maxShrinkRuns,
    progress,
    now: deps.now,
    onProgress: (sofar) => record(sofar),
    save: (kind, s) => {
      const file = path.join(runDir, `${kind}-${s.seed}.json`);
      writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
      return file;
    },
  });
  record(result, new Date().toISOString());
  closeRun(run, (m) => progress.warn(m));
  // Results after the progress: on a terminal its live line must not run into them.
  progress.close?.();
  process.stdout.write(o.json ? jsonLines(o, result.outcomes) : text(o, result.outcomes, result, runDir));
  return exploreExitCode(result.outcomes);
}

const planned = (schedule: Schedule): ScheduleOutcome => ({
  schedule,
  verdict: "not-run",
  reason: "--plan-only",
  findings: [],
});

/** Where the schedules come from, as the user would ask for them again. */
const source = (o: ExploreOptions) => (o.replay ? `--replay ${o.replay.file}` : `--seed ${o.seed}`);

const rel = (file: string) => path.relative(process.cwd(), file) || file;

/** One JSON object per schedule, one per line: its faults, its verdict, and what shrinking found. */
function jsonLines(o: ExploreOptions, outcomes: readonly ScheduleOutcome[]): string {
  return outcomes
    .map((x, i) =>
      JSON.stringify({
        schedule: i + 1,
        ...(o.replay ? { replay: o.replay.file } : { runSeed: o.seed }),
        profile: o.profile,
        seed: x.schedule.seed,
        faults: x.schedule.faults,
        verdict: x.verdict,
        ...(x.reason ? { reason: x.reason } : {}),
        findings: x.findings,
        ...(x.drill ? { drill: x.drill } : {}),
        ...(x.file ? { file: rel(x.file) } : {}),
        ...(x.minimal
          ? {
              minimal: {
                seed: x.minimal.schedule.seed,
                faults: x.minimal.schedule.faults,
                runs: x.minimal.runs,
                ...(x.minimal.stopped ? { stopped: x.minimal.stopped } : {}),
                ...(x.minimal.drill ? { drill: x.minimal.drill } : {}),
                file: rel(x.minimal.file),
              },
            }
          : {}),
      }),
    )
    .map((line) => `${line}\n`)
    .join("");
}

const faultLines = (s: Schedule, indent: string) =>
  (s.faults.length ? describeSchedule(s) : ["no fault"]).map((l) => `${indent}${l}`);

/** The schedules with their faults, verdicts, findings and minimal schedules, for a person. */
function text(
  o: ExploreOptions,
  outcomes: readonly ScheduleOutcome[],
  result?: ExploreOutcome,
  runDir?: string,
): string {
  const lines = [`explore ${source(o)} (${o.profile}): ${outcomes.length} schedule(s)`];
  outcomes.forEach((x, i) => {
    const verdict = x.verdict === "not-run" ? "not run" : x.verdict;
    const why = x.reason && !(x.verdict === "not-run" && x.reason === "--plan-only") ? ` (${x.reason})` : "";
    lines.push(`schedule ${i + 1}, seed ${x.schedule.seed}${o.planOnly ? ":" : `: ${verdict}${why}`}`);
    lines.push(...faultLines(x.schedule, "  "));
    lines.push(...shownFindings(x.findings).map((f) => `  - ${f}`));
    if (x.minimal) {
      const m = x.minimal;
      lines.push(
        `  minimal, after ${m.runs} shrink run(s)${m.stopped ? ` (stopped: ${m.stopped})` : ""}:`,
        ...faultLines(m.schedule, "    "),
        `  replay: firedrill explore --profile ${o.profile} --replay ${rel(m.file)}`,
      );
    }
  });
  if (result?.budgetSpent)
    lines.push(`the budget of ${o.budgetMinutes} min was spent before the exploration was done`);
  if (runDir) lines.push(`report: ${rel(runDir)}/summary.json`);
  return `${lines.join("\n")}\n`;
}
