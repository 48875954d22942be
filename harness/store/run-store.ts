import { mkdirSync } from "node:fs";
import path from "node:path";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { SavedFindings } from "./check-result.ts";
import type { ConvergenceSample } from "./convergence-samples.ts";
import type { DrillResult } from "./drill-result.ts";
import {
  environmentJson,
  metricsJson,
  recordHistory,
  resultJson,
  writeCheckInputs,
  writeContainerLog,
} from "./drill-files.ts";
import type { DrillEnvironment, MetricSnapshot } from "./environment.ts";
import type { ObservedState } from "./observed.ts";
import { linkLatest, writeSummary } from "./summary.ts";

/**
 * One drill's folder of a run, `<run>/<drill>/<label>/` (the label is the profile, or
 * `<profile>+<mutant>` for a mutant's drill): every file the drill leaves is written through here.
 */
export class DrillFolder {
  readonly dir: string;

  constructor(
    readonly runDir: string,
    readonly drill: string,
    /** The profile as the folder and result.json name it. */
    readonly label: string,
  ) {
    this.dir = path.join(runDir, drill, label);
    mkdirSync(this.dir, { recursive: true });
  }

  /** result.json: `interrupted` while the drill runs (a killed run still says so), then its verdict. */
  writeResult(result: DrillResult): void {
    resultJson.write(this.dir, result);
  }

  /** history.jsonl, streamed as the drill runs. */
  recordHistory(runId: string): HistoryRecorder {
    return recordHistory(this.dir, runId);
  }

  /** findings.json, observed.json and convergence.json: what `firedrill report` re-runs the checkers on. */
  writeCheckInputs(
    outcome: SavedFindings & { observed?: ObservedState; samples?: readonly ConvergenceSample[] },
  ): void {
    writeCheckInputs(this.dir, outcome);
  }

  writeEnvironment(env: DrillEnvironment): void {
    environmentJson.write(this.dir, env);
  }

  writeMetrics(snapshot: MetricSnapshot): void {
    metricsJson.write(this.dir, snapshot);
  }

  writeLog(alias: string, text: string): void {
    writeContainerLog(this.dir, alias, text);
  }
}

/**
 * A run's folder, `reports/<run-id>/` (Jepsen's store): opened once, by `run`, `explore`, `mutants`
 * and the scenario runs alike; hands out each drill's folder; `finish` gathers summary.json and
 * points `reports/latest` at it (the HTML report is the report's, written over the finished folder).
 */
export interface RunStore {
  readonly id: string;
  readonly dir: string;
  readonly reportsDir: string;
  drill(drill: string, label: string): DrillFolder;
  finish(): DrillResult[];
}

export function openRun(o: { reportsDir: string; runId: string }): RunStore {
  const dir = path.join(o.reportsDir, o.runId);
  mkdirSync(dir, { recursive: true });
  return {
    id: o.runId,
    dir,
    reportsDir: o.reportsDir,
    drill: (drill, label) => new DrillFolder(dir, drill, label),
    finish() {
      const results = writeSummary(dir);
      linkLatest(o.reportsDir, o.runId);
      return results;
    },
  };
}
