import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { prepareEngineAndImages } from "../providers/start-lab.ts";
import { newRunId } from "../lab/run-id.ts";
import { startLabPool } from "../providers/lab-pool.ts";
import type { ProfileName } from "../config/profiles.ts";
import { stderrProgress } from "../progress/progress.ts";
import { closeRun } from "../report/close-run.ts";
import { openRun } from "../store/run-store.ts";
import { resolveSettings } from "../settings/settings.ts";

declare module "vitest" {
  export interface ProvidedContext {
    reportRunDir: string;
    /** Each profile's shared lab, as a lab file to attach to; empty when every drill gets a fresh lab. */
    labFiles: Partial<Record<ProfileName, string>>;
  }
}

/**
 * Drill runs: engine and images once, one report folder for the whole run, and one lab per profile
 * that every drill of that profile attaches to (checked clean before each drill; a lab on this
 * machine's engine only, and not with FIREDRILL_FRESH_LABS=1); the labs removed, then the summary
 * and HTML report written at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const settings = resolveSettings();
  await prepareEngineAndImages(settings, stderrProgress({ prefix: "firedrill setup" }));
  const run = openRun({ reportsDir: settings.reportsDir, runId: newRunId() });
  project.provide("reportRunDir", run.dir);
  const pooled = settings.provider === "testcontainers" && !settings.freshLabs;
  const pool = pooled
    ? await startLabPool(settings.profiles, {
        settings,
        progress: (profile) => stderrProgress({ prefix: `lab ${profile}` }),
        dir: mkdtempSync(path.join(os.tmpdir(), "firedrill-labs-")),
      })
    : undefined;
  project.provide("labFiles", pool?.files ?? {});
  return async () => {
    await pool?.down();
    const { results, report } = closeRun(run, (m) => process.stderr.write(`firedrill: warning: ${m}\n`));
    const rel = path.relative(process.cwd(), run.dir);
    process.stderr.write(
      `\nfiredrill: ${results.length} drill result(s) in ${rel}/summary.json${report ? `; report ${rel}/index.html, summary ${rel}/summary.md` : ""}\n`,
    );
  };
}
