import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HistoryRecorder, readHistory } from "../history/history-file.ts";
import type { HistoryEvent } from "../history/history.ts";
import { SavedFindingsSchema, type SavedFindings } from "./check-result.ts";
import {
  decodeSamples,
  EncodedSampleSchema,
  encodeSamples,
  type ConvergenceSample,
  type EncodedSample,
} from "./convergence-samples.ts";
import { DrillResultSchema, type DrillResult } from "./drill-result.ts";
import {
  DrillEnvironmentSchema,
  MetricSnapshotSchema,
  type DrillEnvironment,
  type MetricSnapshot,
} from "./environment.ts";
import { jsonArtifact } from "./json-artifact.ts";
import { ObservedStateSchema, type ObservedState } from "./observed.ts";
import { z } from "zod";

/**
 * Every file a drill leaves in its folder, `reports/<run-id>/<drill>/<profile>/`, each one's name,
 * schema, writer and reader (json-artifact.ts).
 */

/**
 * result.json: the drill's verdict, figures and findings, written twice: as `interrupted` when the
 * drill starts (so a killed run still says so), then with the verdict at its end.
 */
export const resultJson = jsonArtifact<DrillResult>("result.json", "a drill's result", DrillResultSchema, {
  indent: 2,
});

/** findings.json: every checker's result, the checkers and their options, the figures and expectations. */
export const findingsJson = jsonArtifact<SavedFindings>(
  "findings.json",
  "a drill's findings",
  SavedFindingsSchema,
  {
    indent: 2,
  },
);

/** observed.json: the databases as the drill left them (durability and replication health read it). */
export const observedJson = jsonArtifact<ObservedState>(
  "observed.json",
  "the observed databases",
  ObservedStateSchema,
);

/** convergence.json: the samples the convergence checker judged, from the heal on, stored as deltas. */
export const convergenceJson = jsonArtifact<readonly ConvergenceSample[], EncodedSample[]>(
  "convergence.json",
  "convergence samples",
  z.array(EncodedSampleSchema),
  { encode: encodeSamples, decode: decodeSamples },
);

/** environment.json: what ran, on what (images, versions, machine), so two runs can be told apart. */
export const environmentJson = jsonArtifact<DrillEnvironment>(
  "environment.json",
  "a drill's environment",
  DrillEnvironmentSchema,
  { indent: 2 },
);

/**
 * metrics/prometheus.json: what the lab's Prometheus saw during the drill. The report links it but
 * does not draw it (the history has what it draws), so only this reader reads it.
 */
export const metricsJson = jsonArtifact<MetricSnapshot>(
  "metrics/prometheus.json",
  "a Prometheus snapshot",
  MetricSnapshotSchema,
);

/** A drill's folder, created if needed. */
export function drillDir(runDir: string, drill: string, profile: string): string {
  const dir = path.join(runDir, drill, profile);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** result.json into the drill's folder (named by the result's drill and profile). */
export function writeDrillResult(runDir: string, result: DrillResult): void {
  resultJson.write(drillDir(runDir, result.drill, result.profile), result);
}

/**
 * What the checkers read besides the history, so `firedrill report` re-runs them on the same input:
 * findings.json (verdicts, checkers and their options, expectations), observed.json (the databases
 * at the end) and convergence.json (the samples from the heal on); the last two when the drill took them.
 */
export function writeCheckInputs(
  dir: string,
  outcome: SavedFindings & { observed?: ObservedState; samples?: readonly ConvergenceSample[] },
): void {
  const { observed, samples, ...findings } = outcome;
  findingsJson.write(dir, findings);
  if (observed) observedJson.write(dir, observed);
  if (samples) convergenceJson.write(dir, samples);
}

/**
 * history.jsonl, streamed as the drill runs (one event a line, so a killed run leaves what it had);
 * its format and the check of each line on reading are history-file.ts's.
 */
export const HISTORY_FILE = "history.jsonl";

export function recordHistory(dir: string, runId: string): HistoryRecorder {
  return new HistoryRecorder(runId, path.join(dir, HISTORY_FILE));
}

/**
 * The drill's history; undefined when it has none. Throws, saying which line, when a line other
 * than a torn last one is not an event: the caller says the history could not be read.
 */
export function readDrillHistory(dir: string): HistoryEvent[] | undefined {
  const file = path.join(dir, HISTORY_FILE);
  return existsSync(file) ? readHistory(file) : undefined;
}

/** logs/<alias>.log: each container's log lines, with the engine's timestamps. */
export const LOGS_DIR = "logs";

export function writeContainerLog(dir: string, alias: string, text: string): void {
  mkdirSync(path.join(dir, LOGS_DIR), { recursive: true });
  writeFileSync(path.join(dir, LOGS_DIR, `${alias}.log`), `${text}\n`);
}

/** Every container's log, by alias; none when the drill saved none. Plain text: nothing to check. */
export function readContainerLogs(dir: string): { alias: string; text: string }[] {
  const logs = path.join(dir, LOGS_DIR);
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => ({ alias: f.replace(/\.log$/, ""), text: readFileSync(path.join(logs, f), "utf8") }));
}
