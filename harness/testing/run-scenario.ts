import { expect, inject, type TestContext } from "vitest";
import type { ProfileName } from "../config/profiles.ts";
import type { DrillDefinition } from "../drills/drill.ts";
import { runDrill } from "../drills/run-drill.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

/** Runs one drill in one profile as a vitest test: pass, fail with the findings, or skipped with the reason. */
export async function runScenario(
  def: DrillDefinition,
  profile: ProfileName,
  ctx: TestContext,
): Promise<void> {
  const result = await runDrill(def, profile, {
    runDir: inject("reportRunDir"),
    settings: resolveSettings(),
    progress: stderrProgress({ prefix: `${def.id} ${profile}` }),
  });
  process.stderr.write(`${def.id} (${profile}): ${JSON.stringify(result.figures)}\n`);
  if (result.verdict === "skipped") ctx.skip(result.reason);
  expect(result.verdict, result.findings.join("\n")).toBe("pass");
}
