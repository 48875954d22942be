import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseProfile, profileNames, type ProfileName } from "../../config/profiles.ts";
import { findDrill } from "../../drills/registry.ts";
import { parseLoadOverrides } from "../../drills/load-overrides.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { prepareEngineAndImages } from "../../lab/start-lab.ts";
import { newRunId } from "../../lab/run-id.ts";
import { linkLatest, writeSummary } from "../../report/run-report.ts";
import { UserError } from "../../util/errors.ts";
import type { CommandContext } from "../command-context.ts";

/** Exit 0 only when every requested profile passed; 1 when one failed or was skipped. */
export async function runCommand(
  values: Record<string, unknown>,
  positionals: string[],
  { settings, progress, env }: CommandContext,
): Promise<number> {
  if (positionals.length !== 1)
    throw new UserError("name one drill: `firedrill run <drill> [--profile seed|hardened]`");
  let def;
  let profiles: ProfileName[];
  let overrides;
  try {
    def = findDrill(positionals[0]!);
    profiles = values.profile ? [parseProfile(String(values.profile))] : [...profileNames];
    overrides = parseLoadOverrides(values, env);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  await prepareEngineAndImages(settings, progress);
  const runId = newRunId();
  const runDir = path.join(settings.reportsDir, runId);
  mkdirSync(runDir, { recursive: true });
  let ok = true;
  for (const profile of profiles) {
    const result = await runDrill(def, profile, { runDir, settings, progress, overrides });
    ok &&= result.verdict === "pass";
    process.stdout.write(
      `${def.id} ${profile}: ${result.verdict}${result.reason ? ` (${result.reason})` : ""}\n`,
    );
    for (const f of result.findings) process.stdout.write(`  - ${f}\n`);
  }
  writeSummary(runDir);
  linkLatest(settings.reportsDir, runId);
  process.stdout.write(`report: ${path.relative(process.cwd(), runDir)}/summary.json\n`);
  return ok ? 0 : 1;
}
