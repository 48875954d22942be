import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { DrillOutcome } from "../drills/drill.ts";
import type { HistoryEvent } from "../history/history.ts";
import { readHistory } from "../history/history-file.ts";
import type { DrillEnvironment } from "./environment.ts";
import type { ObservedState } from "./observed-state.ts";
import type { DrillResult } from "./run-report.ts";

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
  outcome: DrillOutcome | undefined;
  environment: DrillEnvironment | undefined;
  observed: ObservedState | undefined;
  logs: { alias: string; text: string }[];
  artifacts: Artifact[];
  /** Files that were there but could not be read (a torn or foreign file): said in the report. */
  problems: string[];
}

export interface RunArtifacts {
  runDir: string;
  runId: string;
  drills: DrillArtifacts[];
}

export class NotARunFolderError extends Error {}

function readJson<T>(file: string, problems: string[]): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (err) {
    problems.push(`${path.basename(file)}: ${(err as Error).message}`);
    return undefined;
  }
}

function listFiles(root: string, dir: string): Artifact[] {
  const out: Artifact[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir.split(path.sep).join("/"), entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else if (entry.isFile()) out.push({ href: rel, bytes: statSync(path.join(root, rel)).size });
  }
  return out.sort((a, b) => a.href.localeCompare(b.href));
}

/**
 * Reads a run folder back (a drill is a `<drill>/<profile>/` holding result.json). Throws
 * NotARunFolderError, saying why, for a missing folder or one that holds no drill result.
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
      const problems: string[] = [];
      const result = readJson<DrillResult>(path.join(dir, "result.json"), problems);
      if (!result) continue;
      let history: HistoryEvent[] | undefined;
      const historyFile = path.join(dir, "history.jsonl");
      if (existsSync(historyFile)) {
        try {
          history = readHistory(historyFile);
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
      const logsDir = path.join(dir, "logs");
      const logs = existsSync(logsDir)
        ? readdirSync(logsDir)
            .filter((f) => f.endsWith(".log"))
            .sort()
            .map((f) => ({
              alias: f.replace(/\.log$/, ""),
              text: readFileSync(path.join(logsDir, f), "utf8"),
            }))
        : [];
      drills.push({
        result,
        dir: rel,
        history,
        outcome: readJson<DrillOutcome>(path.join(dir, "findings.json"), problems),
        environment: readJson<DrillEnvironment>(path.join(dir, "environment.json"), problems),
        observed: readJson<ObservedState>(path.join(dir, "observed.json"), problems),
        logs,
        artifacts: listFiles(runDir, rel),
        problems,
      });
    }
  }
  if (drills.length === 0)
    throw new NotARunFolderError(
      `${runDir} holds no drill result (<drill>/<profile>/result.json); is it a folder under reports/?`,
    );
  drills.sort((a, b) => a.dir.localeCompare(b.dir));
  // Through reports/latest the run id is the link's target, not "latest".
  return { runDir, runId: path.basename(realpathSync(runDir)), drills };
}
