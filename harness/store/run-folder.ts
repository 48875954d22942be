import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { HistoryEvent } from "../history/history.ts";
import type { DrillEnvironment } from "./environment.ts";
import { fmt } from "../util/format.ts";
import type { ObservedState } from "./observed.ts";
import type { ConvergenceSample } from "./convergence-samples.ts";
import {
  convergenceJson,
  environmentJson,
  findingsJson,
  HISTORY_FILE,
  observedJson,
  readContainerLogs,
  readDrillHistory,
  resultJson,
} from "./drill-files.ts";
import type { SavedFindings } from "./check-result.ts";
import type { DrillResult } from "./drill-result.ts";

export interface Artifact {
  /** Path relative to the run folder, with forward slashes (it is used as a link). */
  href: string;
  bytes: number;
}

/** Everything one drill in one profile left in `reports/<run-id>/<drill>/<profile>/`. */
export interface DrillArtifacts {
  result: DrillResult;
  /** Relative to the run folder. */
  dir: string;
  history: HistoryEvent[] | undefined;
  /** findings.json: every checker's verdict, the figures and expectations, as the drill saw them. */
  outcome: SavedFindings | undefined;
  environment: DrillEnvironment | undefined;
  observed: ObservedState | undefined;
  /** convergence.json: the samples the convergence checker judged, from the heal on. */
  samples: readonly ConvergenceSample[] | undefined;
  logs: { alias: string; text: string }[];
  artifacts: Artifact[];
  /**
   * Files that were there but could not be read (torn, or of another kind), one line each naming the
   * file: said in the report. A missing file is no problem (the drill did not get that far).
   */
  problems: string[];
}

export interface RunArtifacts {
  runDir: string;
  runId: string;
  drills: DrillArtifacts[];
}

export class NotARunFolderError extends Error {}

function listFiles(root: string, dir: string): Artifact[] {
  const out: Artifact[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir.split(path.sep).join("/"), entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else if (entry.isFile()) out.push({ href: rel, bytes: statSync(path.join(root, rel)).size });
  }
  return out.sort((a, b) => a.href.localeCompare(b.href));
}

/** One `<drill>/<profile>/` folder read back: its result (as saved, or interrupted) and its history. */
export interface DrillFolder {
  result: DrillResult;
  history: HistoryEvent[] | undefined;
  problems: string[];
}

/**
 * What one `<drill>/<profile>/` folder says about its drill; undefined when it holds no drill (neither
 * result.json nor history.jsonl). A drill streams history.jsonl as it runs and writes result.json only
 * at its end, so a history without a readable result.json (or a result.json that says interrupted) is a
 * drill whose run ended first: it is read as interrupted, never dropped and never passed.
 * `withHistory: false` reads the history only when the result needs it (summary.json).
 */
export function readDrillFolder(
  dir: string,
  drill: string,
  profile: string,
  { withHistory = true }: { withHistory?: boolean } = {},
): DrillFolder | undefined {
  const hasHistory = existsSync(path.join(dir, HISTORY_FILE));
  const read = resultJson.inspect(dir);
  if (read.state === "missing" && !hasHistory) return undefined;
  const problems: string[] = [];
  if (read.state === "unusable") problems.push(read.problem);
  const saved = read.state === "saved" ? read.value : undefined;
  const finished = saved !== undefined && saved.verdict !== "interrupted";
  let history: HistoryEvent[] | undefined;
  let historyError: string | undefined;
  if (hasHistory && (withHistory || !finished)) {
    try {
      history = readDrillHistory(dir);
    } catch (err) {
      historyError = (err as Error).message;
      problems.push(historyError);
    }
  }
  if (finished) return { result: saved, history, problems };
  const heard = history
    ? history.length === 0
      ? "history.jsonl is empty"
      : `history.jsonl has ${history.length} events, the last at ${fmt(history.reduce((t, e) => Math.max(t, e.time), 0) / 1000)} s`
    : historyError
      ? `history.jsonl could not be read (${historyError})`
      : "there is no history.jsonl";
  const said = saved
    ? "result.json says interrupted"
    : read.state !== "unusable"
      ? "no result.json"
      : read.why === "not JSON"
        ? "result.json is torn (the run died while writing it)"
        : "result.json is not a drill's result";
  return {
    result: {
      figures: {},
      findings: [],
      ...saved,
      // The folder names, not what a torn or early file claims: they are where the drill ran.
      drill,
      profile,
      verdict: "interrupted",
      // The drill's own placeholder (written when it started) says when and by whom; the folder adds
      // how far the history got.
      reason: `${saved?.reason ?? "the run ended before the drill finished"}: ${heard}; ${said}`,
    },
    history,
    problems,
  };
}

/**
 * Reads a run folder back (a drill is a `<drill>/<profile>/` holding result.json, or the history.jsonl
 * of an interrupted drill). Throws NotARunFolderError, saying why, for a missing folder or one that
 * holds no drill.
 */
export function readRunFolder(runDir: string): RunArtifacts {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw new NotARunFolderError(`${runDir} is not a folder`);
  const drills: DrillArtifacts[] = [];
  for (const drill of readdirSync(runDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const profile of readdirSync(path.join(runDir, drill.name), { withFileTypes: true })) {
      if (!profile.isDirectory()) continue;
      const rel = path.posix.join(drill.name, profile.name);
      const dir = path.join(runDir, rel);
      const found = readDrillFolder(dir, drill.name, profile.name);
      if (!found) continue;
      const { result, history, problems } = found;
      drills.push({
        result,
        dir: rel,
        history,
        outcome: findingsJson.read(dir, problems),
        environment: environmentJson.read(dir, problems),
        observed: observedJson.read(dir, problems),
        samples: convergenceJson.read(dir, problems),
        logs: readContainerLogs(dir),
        artifacts: listFiles(runDir, rel),
        problems,
      });
    }
  }
  if (drills.length === 0)
    throw new NotARunFolderError(
      `${runDir} holds no drill result (<drill>/<profile>/result.json, or the history.jsonl of an interrupted drill); is it a folder under reports/?`,
    );
  drills.sort((a, b) => a.dir.localeCompare(b.dir));
  // Through reports/latest the run id is the link's target, not "latest".
  return { runDir, runId: path.basename(realpathSync(runDir)), drills };
}
