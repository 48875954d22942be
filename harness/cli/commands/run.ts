import path from "node:path";
import { parseProfile, type ProfileName } from "../../config/profiles.ts";
import { findDrill } from "../../drills/registry.ts";
import { parseLoadOverrides } from "../../settings/load-overrides.ts";
import { drillSettings } from "../../drills/context.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { prepareEngineAndImages } from "../../providers/start-lab.ts";
import { newRunId } from "../../lab/run-id.ts";
import type { DrillResult, DrillVerdict } from "../../store/drill-result.ts";
import { closeRun } from "../../report/close-run.ts";
import { openRun } from "../../store/run-store.ts";
import { UserError } from "../../util/errors.ts";
import { withProvider } from "../../settings/settings.ts";
import type { CommandContext } from "../command-context.ts";
import { shownFindings } from "../shown-findings.ts";

/**
 * Exit 0 only when every requested profile passed; 1 when one failed, was skipped or was interrupted
 * (runExitCode). With `--json`, stdout carries only the results (the entries `summary.json` gets),
 * as a JSON array.
 */
export async function runCommand(
  values: Record<string, unknown>,
  positionals: string[],
  { settings: envSettings, progress, env }: CommandContext,
): Promise<number> {
  const settings = withProvider(envSettings, values.provider);
  if (positionals.length !== 1)
    throw new UserError("name one drill: `firedrill run <drill> [--profile seed|hardened]`");
  let def;
  let profiles: ProfileName[];
  let overrides;
  try {
    def = findDrill(positionals[0]!);
    profiles = values.profile ? [parseProfile(String(values.profile))] : [...settings.profiles];
    overrides = parseLoadOverrides(values, env);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  // Another provider brings its own lab (and builds the images only where it can run).
  if (settings.provider === "testcontainers") await prepareEngineAndImages(settings, progress);
  const run = openRun({ reportsDir: settings.reportsDir, runId: newRunId() });
  const results: DrillResult[] = [];
  for (const profile of profiles)
    results.push(
      await runDrill(def, profile, {
        folder: run.drill(def.id, profile),
        settings: drillSettings(settings, env, overrides),
        progress,
      }),
    );
  closeRun(run, (m) => progress.warn(m));
  const runDir = run.dir;
  // Results after the progress: on a terminal its live line must not run into them.
  progress.close?.();
  process.stdout.write(
    values.json ? `${JSON.stringify(results, null, 2)}\n` : formatResults(results, runDir),
  );
  return runExitCode(results);
}

/**
 * Each verdict's exit code. Keyed by every verdict, so a new one cannot be added without deciding
 * here; only pass is 0 (skipped and interrupted drills did not show anything held).
 */
const EXIT_CODE: Record<DrillVerdict, 0 | 1> = { pass: 0, fail: 1, skipped: 1, interrupted: 1 };

/** 0 only when there are results and every one passed. */
export function runExitCode(results: readonly DrillResult[]): 0 | 1 {
  return results.length > 0 && results.every((r) => EXIT_CODE[r.verdict] === 0) ? 0 : 1;
}

/** One line per profile with its verdict, its findings indented below, then where the report is. */
export function formatResults(results: readonly DrillResult[], runDir: string): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.drill} ${r.profile}: ${r.verdict}${r.reason ? ` (${r.reason})` : ""}`);
    for (const f of shownFindings(r.findings)) lines.push(`  - ${f}`);
  }
  lines.push(`report: ${path.relative(process.cwd(), runDir)}/summary.json`, "");
  return lines.join("\n");
}
