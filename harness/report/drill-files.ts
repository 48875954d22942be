import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { CheckerSpec } from "../checkers/checker.ts";
import type { ConvergenceSample } from "../checkers/convergence.ts";
import type { DrillOutcome } from "../drills/drill.ts";
import { HistoryRecorder, readHistory } from "../history/history-file.ts";
import type { HistoryEvent } from "../history/history.ts";
import { describeIssues } from "../util/zod-issues.ts";
import { decodeSamples, encodeSamples, type EncodedSample } from "./convergence-samples.ts";
import type { DrillEnvironment } from "./environment.ts";
import type { MetricSnapshot } from "./metric-snapshots.ts";
import type { ObservedState } from "./observed-state.ts";
import type { DrillResult, Verdict } from "./run-report.ts";

/**
 * Every file a drill leaves in its folder, `reports/<run-id>/<drill>/<profile>/`: each one's name,
 * its writer (what the drill runner calls) and its reader (what `firedrill report` calls). One place,
 * so a file's format changes in both directions at once, and a file that is there but unusable (torn
 * by a killed run, or of another kind) is said once, the same way, naming the file.
 *
 * Readers check what they read with a schema instead of trusting a cast: the report and the
 * re-run checkers would otherwise fail far from the cause (or, worse, draw a wrong-kind file as
 * data). The schemas describe the top level and the fields the report and checkers rely on, loosely
 * (unknown keys are kept): a file from a newer or older firedrill with a field more or less still
 * reads, and a finding's free-form evidence is not re-described here.
 */

/** What reading one artifact found. */
export type ArtifactRead<T> =
  | { state: "saved"; value: T }
  /** No such file: a drill that did not get that far, or a run from before the file existed. */
  | { state: "missing" }
  /** There, but unusable; `problem` is one line naming the file and saying what is wrong. */
  | { state: "unusable"; why: "not JSON" | "wrong kind"; problem: string };

/** One JSON file of a drill's folder. */
export interface JsonArtifact<T> {
  /** Its path in the drill's folder, with forward slashes (it is also how problems name it). */
  readonly file: string;
  write(dir: string, value: T): void;
  /**
   * The file's content; undefined when there is none (no problem: as the report always treated a
   * missing file) or when it is unusable, with a one-line problem added to `problems`.
   */
  read(dir: string, problems: string[]): T | undefined;
  /** The same, saying which of the three it was (result.json's absence and damage mean different things). */
  inspect(dir: string): ArtifactRead<T>;
}

function jsonArtifact<T, Stored = T>(spec: {
  file: string;
  /** What the file holds, for the problem with a file of another kind: "not a drill's result". */
  kind: string;
  schema: z.ZodType;
  /** Indented where people read the file (result, findings, environment); compact where it is bulky. */
  indent?: number;
  encode?: (value: T) => Stored;
  decode?: (stored: Stored) => T;
}): JsonArtifact<T> {
  const encode = spec.encode ?? ((v: T) => v as unknown as Stored);
  const decode = spec.decode ?? ((s: Stored) => s as unknown as T);
  const inspect = (dir: string): ArtifactRead<T> => {
    const file = path.join(dir, spec.file);
    if (!existsSync(file)) return { state: "missing" };
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      return {
        state: "unusable",
        why: "not JSON",
        problem: `${spec.file}: not JSON: ${(err as Error).message}`,
      };
    }
    const checked = spec.schema.safeParse(json);
    if (!checked.success)
      return {
        state: "unusable",
        why: "wrong kind",
        problem: `${spec.file}: not ${spec.kind}: ${describeIssues(checked.error)}`,
      };
    // The schema checks the file is of its kind, not every nested field: the rest is as written.
    return { state: "saved", value: decode(checked.data as Stored) };
  };
  return {
    file: spec.file,
    write(dir, value) {
      const file = path.join(dir, spec.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(encode(value), null, spec.indent)}\n`);
    },
    read(dir, problems) {
      const r = inspect(dir);
      if (r.state === "unusable") problems.push(r.problem);
      return r.state === "saved" ? r.value : undefined;
    },
    inspect,
  };
}

const Figures = z.record(z.string(), z.number().nullable());
const Expectation = z.looseObject({
  description: z.string(),
  met: z.boolean(),
  detail: z.string().optional(),
});
const AlertResult = z.looseObject({
  alert: z.string(),
  labels: z.record(z.string(), z.string()),
  source: z.string(),
  expect: z.string(),
  detectSeconds: z.number().nullable(),
  notifySeconds: z.number().nullable(),
  resolveSeconds: z.number().nullable(),
  met: z.boolean(),
  detail: z.string().optional(),
  skipped: z.string().optional(),
});

// Every verdict and checker id, checked by the compiler: a new one fails `tsc` here until it is added.
const verdicts = { pass: 0, fail: 0, skipped: 0, interrupted: 0 } satisfies Record<Verdict, 0>;
const checkerIds = {
  availability: 0,
  durability: 0,
  "stale-reads": 0,
  convergence: 0,
  "replication-health": 0,
  "steady-state": 0,
  "fault-effect": 0,
} satisfies Record<CheckerSpec["id"], 0>;
const keysOf = <K extends string>(o: Record<K, 0>) => Object.keys(o) as [K, ...K[]];

/**
 * result.json: the drill's verdict, figures and findings, written twice: as `interrupted` when the
 * drill starts (so a killed run still says so), then with the verdict at its end.
 */
export const resultJson = jsonArtifact<DrillResult>({
  file: "result.json",
  kind: "a drill's result",
  indent: 2,
  schema: z.looseObject({
    drill: z.string(),
    profile: z.string(),
    verdict: z.enum(keysOf(verdicts)),
    reason: z.string().optional(),
    figures: Figures,
    findings: z.array(z.string()),
    expectations: z.array(Expectation).optional(),
    alerts: z.array(AlertResult).optional(),
    mutant: z.string().optional(),
  }),
});

/** findings.json holds the drill's outcome without the inputs saved beside it (observed, convergence). */
export type SavedFindings = Omit<DrillOutcome, "observed" | "samples">;

/** findings.json: every checker's verdict, the checkers and their options, the figures and expectations. */
export const findingsJson = jsonArtifact<SavedFindings>({
  file: "findings.json",
  kind: "a drill's findings",
  indent: 2,
  schema: z.looseObject({
    verdicts: z.array(
      z.looseObject({
        checker: z.string(),
        valid: z.union([z.boolean(), z.literal("unknown")]),
        // A finding's evidence is free-form (each checker its own): not described here.
        findings: z.array(z.looseObject({ kind: z.string(), message: z.string() })),
        figures: Figures,
      }),
    ),
    figures: Figures,
    expectations: z.array(Expectation),
    alerts: z.array(AlertResult).optional(),
    // The report re-runs these; an unknown id would run nothing. Options are each checker's own: a
    // wrong one makes that checker `unknown` when re-run (it throws), which the report shows.
    checkers: z
      .array(z.looseObject({ id: z.enum(keysOf(checkerIds)), name: z.string().optional() }))
      .optional(),
    waivers: z.array(z.looseObject({ checker: z.string(), reason: z.string() })).optional(),
  }),
});

const Replica = z
  .looseObject({
    ioRunning: z.string(),
    sqlRunning: z.string(),
    lastIoError: z.string(),
    lastSqlErrno: z.number(),
    lastSqlError: z.string(),
    secondsBehindMaster: z.number().nullable(),
    connectRetry: z.number(),
    usingGtid: z.string(),
  })
  .nullable();
const Replicas = z.looseObject({ node1: Replica.optional(), node2: Replica.optional() });
const Snapshot = z.looseObject({
  lists: z.array(z.looseObject({ id: z.number(), title: z.string() })),
  items: z.array(z.looseObject({ id: z.number(), listId: z.number(), text: z.string() })),
});

/** observed.json: the databases as the drill left them (durability and replication health read it). */
export const observedJson = jsonArtifact<ObservedState>({
  file: "observed.json",
  kind: "the observed databases",
  schema: z.looseObject({
    tag: z.string(),
    time: z.number(),
    snapshots: z.looseObject({ node1: Snapshot.optional(), node2: Snapshot.optional() }),
    replication: Replicas,
    moments: z.record(z.string(), Replicas).optional(),
    errors: z.array(z.string()),
  }),
});

const Delta = z.looseObject({ add: z.array(z.number()), remove: z.array(z.number()) });
const EncodedNode = z
  .looseObject({
    gtidCurrentPos: z.string(),
    checksums: Figures,
    rows: z.looseObject({ lists: Delta, items: Delta }).optional(),
  })
  .nullable();

/**
 * convergence.json: the samples the convergence checker judged, from the heal on, stored as deltas
 * (convergence-samples.ts); described in full, since decoding walks every field.
 */
export const convergenceJson = jsonArtifact<readonly ConvergenceSample[], EncodedSample[]>({
  file: "convergence.json",
  kind: "convergence samples",
  schema: z.array(z.looseObject({ time: z.number(), node1: EncodedNode, node2: EncodedNode })),
  encode: encodeSamples,
  decode: decodeSamples,
});

/** environment.json: what ran, on what (images, versions, machine), so two runs can be told apart. */
export const environmentJson = jsonArtifact<DrillEnvironment>({
  file: "environment.json",
  kind: "a drill's environment",
  indent: 2,
  schema: z.looseObject({
    labRunId: z.string(),
    profile: z.string(),
    startedAt: z.string(),
    images: z.array(
      z.looseObject({
        alias: z.string(),
        image: z.string(),
        imageId: z.string().nullable(),
        repoDigests: z.array(z.string()),
      }),
    ),
    versions: z.looseObject({
      firedrill: z.string(),
      node: z.string(),
      dockerEngine: z.string().nullable(),
      gitCommit: z.string().nullable(),
    }),
    seed: z.string(),
    machine: z.looseObject({
      platform: z.string(),
      release: z.string(),
      arch: z.string(),
      cpus: z.number(),
      cpuModel: z.string(),
      memoryGiB: z.number(),
    }),
    grafana: z.string(),
    fidelity: z.string().optional(),
    overrides: z.looseObject({ rate: z.number().optional(), faultSeconds: z.number().optional() }),
    unknown: z.array(z.string()),
  }),
});

/**
 * metrics/prometheus.json: what the lab's Prometheus saw during the drill. The report links it but
 * does not draw it (the history has what it draws), so only this reader reads it.
 */
export const metricsJson = jsonArtifact<MetricSnapshot>({
  file: "metrics/prometheus.json",
  kind: "a Prometheus snapshot",
  schema: z.looseObject({
    prometheus: z.string(),
    start: z.string(),
    end: z.string(),
    stepSeconds: z.number(),
    series: z.record(
      z.string(),
      z.looseObject({
        query: z.string(),
        result: z
          .array(
            z.looseObject({
              metric: z.record(z.string(), z.string()),
              values: z.array(z.tuple([z.number(), z.string()])),
            }),
          )
          .optional(),
        error: z.string().optional(),
      }),
    ),
  }),
});

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
export function writeCheckInputs(dir: string, outcome: DrillOutcome): void {
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
