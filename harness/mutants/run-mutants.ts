import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ProfileName } from "../config/profiles.ts";
import { findDrill } from "../drills/registry.ts";
import { runDrill } from "../drills/run-drill.ts";
import { onInterrupt } from "../lab/signal-cleanup.ts";
import type { Progress } from "../progress/progress.ts";
import { resultJson } from "../report/drill-files.ts";
import type { DrillResult } from "../report/run-report.ts";
import type { Settings } from "../settings/settings.ts";
import { UserError } from "../util/errors.ts";
import { showFinding, type Mutant } from "./mutant.ts";
import type { Mutation } from "./mutation.ts";
import {
  formatScore,
  judgeDrillRun,
  judgeMutant,
  mutantsReport,
  writeMutantsReport,
  type MutantResult,
  type MutantsReport,
} from "./results.ts";

export interface RunMutantsOptions {
  runId: string;
  runDir: string;
  settings: Settings;
  progress: Progress;
  /** The mutations, built and checked beforehand (see plant.ts), by mutant id. */
  mutations: ReadonlyMap<string, Mutation>;
  /** Runs one drill on a fresh lab with the mutation planted; injectable for tests. */
  drill?: typeof runDrill;
  /** Where Ctrl-C is heard (lab/signal-cleanup.ts); injectable for tests. */
  onInterrupt?: typeof onInterrupt;
}

/**
 * The folder of one mutant's drill in the run: `<drill>/<profile>+<mutant>/`, beside the drills'
 * usual `<drill>/<profile>/`, so the report lists each mutant's drill as its own row and section.
 */
export function mutantDrillDir(drill: string, profile: string, mutantId: string): string {
  return path.posix.join(drill, `${profile}+${mutantId}`);
}

/**
 * Each mutant's drills one after the other, each on a fresh lab with the mutation planted (two
 * cores: never two labs at once). mutants.json is rewritten after every mutant.
 */
export async function runMutants(mutants: readonly Mutant[], o: RunMutantsOptions): Promise<MutantsReport> {
  const startedAt = new Date().toISOString();
  const results: MutantResult[] = [];
  const drill = o.drill ?? runDrill;
  writeMutantsReport(o.runDir, mutantsReport(o.runId, startedAt, mutants.length, results));
  // Ctrl-C removes the lab under the running drill (start-lab's cleanup), which then fails: that
  // failure is the signal's, not the mutant's, and must never be recorded as a kill.
  let interrupted = false;
  const forget = (o.onInterrupt ?? onInterrupt)(() => Promise.resolve((interrupted = true)));
  try {
    return await runEach(mutants, o, drill, startedAt, results, () => interrupted);
  } finally {
    forget();
  }
}

async function runEach(
  mutants: readonly Mutant[],
  o: RunMutantsOptions,
  drill: typeof runDrill,
  startedAt: string,
  results: MutantResult[],
  interrupted: () => boolean,
): Promise<MutantsReport> {
  for (const [i, m] of mutants.entries()) {
    const mutation = o.mutations.get(m.id);
    if (!mutation) throw new Error(`internal: mutant ${m.id} was not planted`);
    const runs = [];
    for (const expected of m.drills) {
      o.progress.step(
        `mutant ${i + 1}/${mutants.length} ${m.id} (${m.profile}): ${expected.drill} must fail with ${showFinding(expected.finding)}`,
      );
      const dir = mutantDrillDir(expected.drill, m.profile, m.id);
      const t0 = performance.now();
      let result: DrillResult | undefined;
      try {
        result = await runInto(o, dir, expected.drill, m.profile, (stage) =>
          drill(findDrill(expected.drill), m.profile, {
            runDir: stage,
            settings: o.settings,
            progress: o.progress,
            mutation,
          }),
        );
      } catch (err) {
        if (!interrupted()) throw err;
      }
      if (interrupted() || !result) {
        labelResult(o.runDir, dir, m, { verdict: "interrupted", reason: INTERRUPTED, findings: [] });
        throw new MutantsInterruptedError(results.length, mutants.length);
      }
      labelResult(o.runDir, dir, m);
      runs.push(judgeDrillRun(expected, result, dir, (performance.now() - t0) / 1000));
    }
    const judged = judgeMutant(m, runs);
    results.push(judged);
    writeMutantsReport(o.runDir, mutantsReport(o.runId, startedAt, mutants.length, results));
    o.progress.step(
      `mutant ${i + 1}/${mutants.length} ${m.id}: ${statusText(judged)} in ${judged.seconds} s${judged.killedBy ? ` — ${judged.killedBy}` : judged.reason ? ` — ${judged.reason}` : ""}`,
    );
  }
  const report = mutantsReport(o.runId, startedAt, mutants.length, results, new Date().toISOString());
  writeMutantsReport(o.runDir, report);
  o.progress.step(`mutation score ${formatScore(report)}`);
  return report;
}

const INTERRUPTED = "the run was interrupted (a signal) while this drill ran: its lab was removed under it";

/** Ctrl-C (or SIGTERM) during a mutant: mutants.json keeps the mutants judged before it, nothing more. */
export class MutantsInterruptedError extends UserError {
  constructor(judged: number, selected: number) {
    super(`interrupted after ${judged} of ${selected} mutants; mutants.json keeps those`, 130);
    this.name = "MutantsInterruptedError";
  }
}

export function statusText(r: Pick<MutantResult, "status" | "unexpectedFinding">): string {
  return r.status === "killed" && r.unexpectedFinding ? "killed, unexpected finding" : r.status;
}

/**
 * runDrill writes to `<runDir>/<drill>/<profile>/`; a mutant's drill belongs in `<drill>/<profile>+<id>/`.
 * A staging run folder whose `<drill>/<profile>` is a link to the real folder makes runDrill write
 * there directly: the history streams into the run folder, so an interrupted mutant leaves it too.
 */
async function runInto(
  o: Pick<RunMutantsOptions, "runDir" | "onInterrupt">,
  dir: string,
  drill: string,
  profile: ProfileName,
  run: (stageRunDir: string) => Promise<DrillResult>,
): Promise<DrillResult> {
  const target = path.join(o.runDir, dir);
  mkdirSync(target, { recursive: true });
  const stage = mkdtempSync(path.join(os.tmpdir(), "firedrill-mutant-"));
  // On Ctrl-C the process exits once the lab is removed, maybe before the finally below runs.
  const forget = (o.onInterrupt ?? onInterrupt)(() =>
    Promise.resolve(rmSync(stage, { recursive: true, force: true })),
  );
  try {
    mkdirSync(path.join(stage, drill));
    symlinkSync(target, path.join(stage, drill, profile), "dir");
    return await run(stage);
  } finally {
    forget();
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The result.json of a mutant's drill says which mutant it ran against: its profile reads
 * `<profile>+<mutant>` (as its folder), so the report's rows and anchors tell the mutants apart.
 */
function labelResult(runDir: string, dir: string, m: Mutant, override: Partial<DrillResult> = {}): void {
  const folder = path.join(runDir, dir);
  // No usable result.json (never written, torn, or of another kind): left as it is; the report
  // reads the folder as an interrupted drill and says what is wrong with the file.
  const result = resultJson.read(folder, []);
  if (!result) return;
  resultJson.write(folder, { ...result, ...override, profile: `${m.profile}+${m.id}`, mutant: m.id });
}
