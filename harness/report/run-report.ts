import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { readDrillFolder } from "./run-folder.ts";

/**
 * `interrupted`: the run ended (killed, cancelled, crashed) before the drill wrote its result, so
 * the drill has no verdict of its own; like skipped, never counted as passed.
 */
export type Verdict = "pass" | "fail" | "skipped" | "interrupted";

/** One line of `summary.json`: a drill in one profile, with its key figures. */
export interface DrillResult {
  drill: string;
  profile: string;
  verdict: Verdict;
  reason?: string;
  figures: Record<string, number | null>;
  findings: string[];
  /** What the drill expected of this profile and whether it was met. */
  expectations?: { description: string; met: boolean; detail?: string }[];
  /** Each alert the drill asserted: when it fired, was notified and resolved (seconds from fault / heal). */
  alerts?: AlertResult[];
  /** On a mutant's drill (`firedrill mutants`): the mutant it ran against (its profile says so too). */
  mutant?: string;
}

export interface AlertResult {
  alert: string;
  labels: Record<string, string>;
  source: "prometheus" | "grafana";
  /** "fires" (and resolves after heal, unless stays-firing) or "quiet" (must not fire). */
  expect: "fires" | "fires-and-stays" | "quiet";
  /** Fault injected → alert firing in Prometheus (or Grafana). */
  detectSeconds: number | null;
  /** Fault injected → firing notification received by the webhook receiver. */
  notifySeconds: number | null;
  /** Heal → resolved notification received. */
  resolveSeconds: number | null;
  met: boolean;
  detail?: string;
  /** Set when this source cannot run here (Grafana without its image): never counted as passed. */
  skipped?: string;
}

/**
 * Gathers every drill's result.json into summary.json (sorted, so runs diff cleanly); a drill whose
 * run ended before its result.json was written is listed as interrupted (read as the report reads it).
 */
export function writeSummary(runDir: string): DrillResult[] {
  const results: DrillResult[] = [];
  if (existsSync(runDir)) {
    for (const drill of readdirSync(runDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const profile of readdirSync(path.join(runDir, drill.name), { withFileTypes: true }).filter((d) =>
        d.isDirectory(),
      )) {
        const found = readDrillFolder(path.join(runDir, drill.name, profile.name), drill.name, profile.name, {
          withHistory: false,
        });
        if (found) results.push(found.result);
      }
    }
  }
  results.sort((a, b) => `${a.drill}/${a.profile}`.localeCompare(`${b.drill}/${b.profile}`));
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, "summary.json"), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/** `reports/latest` points at the newest run (a relative link, so the folder can be moved). */
export function linkLatest(reportsDir: string, runId: string): void {
  const link = path.join(reportsDir, "latest");
  rmSync(link, { force: true, recursive: false });
  symlinkSync(runId, link);
}
