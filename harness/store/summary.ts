import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { DrillResult } from "./drill-result.ts";
import { readDrillFolder } from "./run-folder.ts";

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
