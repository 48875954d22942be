import type { Mutation } from "../config/mutation.ts";
import type { DrillSettings } from "../drills/context.ts";
import { findDrill } from "../drills/registry.ts";
import { runDrill } from "../drills/run-drill.ts";
import { onInterrupt } from "../lab/signal-cleanup.ts";
import type { Progress } from "../progress/progress.ts";
import type { DrillResult } from "../store/drill-result.ts";
import {
  formatScore,
  writeMutantsReport,
  type MutantResult,
  type MutantsReport,
} from "../store/mutants-file.ts";
import type { RunStore } from "../store/run-store.ts";
import { UserError } from "../util/errors.ts";
import { showKill, type Mutant } from "./mutant.ts";
import { judgeDrillRun, judgeMutant, mutantsReport } from "./results.ts";

export interface RunMutantsOptions {
  run: RunStore;
  settings: DrillSettings;
  progress: Progress;
  /** The mutations, built and checked beforehand (see plant.ts), by mutant id. */
  mutations: ReadonlyMap<string, Mutation>;
  /** Runs one drill on a fresh lab with the mutation planted; injectable for tests. */
  drill?: typeof runDrill;
  /** Where Ctrl-C is heard (lab/signal-cleanup.ts); injectable for tests. */
  onInterrupt?: typeof onInterrupt;
}

/**
 * The label of one mutant's drill in the run: `<profile>+<mutant>`, so its folder is
 * `<drill>/<profile>+<mutant>/` beside the drills' usual `<drill>/<profile>/`, and the report lists
 * each mutant's drill as its own row and section.
 */
export const mutantLabel = (profile: string, mutantId: string) => `${profile}+${mutantId}`;

/**
 * Each mutant's drills one after the other, each on a fresh lab with the mutation planted (two
 * cores: never two labs at once). mutants.json is rewritten after every mutant.
 */
export async function runMutants(mutants: readonly Mutant[], o: RunMutantsOptions): Promise<MutantsReport> {
  const startedAt = new Date().toISOString();
  const results: MutantResult[] = [];
  writeMutantsReport(o.run.dir, mutantsReport(o.run.id, startedAt, mutants.length, results));
  // Ctrl-C removes the lab under the running drill (start-lab's cleanup), which then fails: that
  // failure is the signal's, not the mutant's, and must never be recorded as a kill.
  let interrupted = false;
  const forget = (o.onInterrupt ?? onInterrupt)(() => Promise.resolve((interrupted = true)));
  try {
    return await runEach(mutants, o, startedAt, results, () => interrupted);
  } finally {
    forget();
  }
}

async function runEach(
  mutants: readonly Mutant[],
  o: RunMutantsOptions,
  startedAt: string,
  results: MutantResult[],
  interrupted: () => boolean,
): Promise<MutantsReport> {
  const drill = o.drill ?? runDrill;
  for (const [i, m] of mutants.entries()) {
    const mutation = o.mutations.get(m.id);
    if (!mutation) throw new Error(`internal: mutant ${m.id} was not planted`);
    const runs = [];
    for (const expected of m.drills) {
      o.progress.step(
        `mutant ${i + 1}/${mutants.length} ${m.id} (${m.profile}): ${expected.drill} must break ${showKill(expected)}`,
      );
      const folder = o.run.drill(expected.drill, mutantLabel(m.profile, m.id));
      const dir = `${expected.drill}/${folder.label}`;
      const t0 = performance.now();
      let result: DrillResult | undefined;
      try {
        result = await drill(findDrill(expected.drill), m.profile, {
          folder,
          settings: o.settings,
          progress: o.progress,
          mutant: { id: m.id, mutation },
        });
      } catch (err) {
        if (!interrupted()) throw err;
      }
      if (interrupted() || !result) {
        folder.writeResult({
          drill: expected.drill,
          profile: folder.label,
          mutant: m.id,
          verdict: "interrupted",
          reason: INTERRUPTED,
          figures: {},
          findings: [],
        });
        throw new MutantsInterruptedError(results.length, mutants.length);
      }
      runs.push(judgeDrillRun(expected, result, dir, (performance.now() - t0) / 1000));
    }
    const judged = judgeMutant(m, runs);
    results.push(judged);
    writeMutantsReport(o.run.dir, mutantsReport(o.run.id, startedAt, mutants.length, results));
    o.progress.step(
      `mutant ${i + 1}/${mutants.length} ${m.id}: ${statusText(judged)} in ${judged.seconds} s${judged.killedBy ? ` — ${judged.killedBy}` : judged.reason ? ` — ${judged.reason}` : ""}`,
    );
  }
  const report = mutantsReport(o.run.id, startedAt, mutants.length, results, new Date().toISOString());
  writeMutantsReport(o.run.dir, report);
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
