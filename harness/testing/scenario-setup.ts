import { mkdirSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { prepareEngineAndImages } from "../lab/start-lab.ts";
import { newRunId } from "../lab/run-id.ts";
import { stderrProgress } from "../progress/progress.ts";
import { linkLatest, writeSummary } from "../report/run-report.ts";
import { writeReportOrWarn } from "../report/write-report.ts";
import { resolveSettings } from "../settings/settings.ts";

declare module "vitest" {
  export interface ProvidedContext {
    reportRunDir: string;
  }
}

/** Drill runs: engine and images once, one report folder for the whole run; summary and HTML report at the end. */
export default async function setup(project: TestProject): Promise<() => void> {
  const settings = resolveSettings();
  await prepareEngineAndImages(settings, stderrProgress({ prefix: "firedrill setup" }));
  const runId = newRunId();
  const runDir = path.join(settings.reportsDir, runId);
  mkdirSync(runDir, { recursive: true });
  project.provide("reportRunDir", runDir);
  return () => {
    const results = writeSummary(runDir);
    const report = writeReportOrWarn(runDir, (m) => process.stderr.write(`firedrill: warning: ${m}\n`));
    linkLatest(settings.reportsDir, runId);
    const rel = path.relative(process.cwd(), runDir);
    process.stderr.write(
      `\nfiredrill: ${results.length} drill result(s) in ${rel}/summary.json${report ? `; report ${rel}/index.html, summary ${rel}/summary.md` : ""}\n`,
    );
  };
}
