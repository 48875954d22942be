import { expect, inject, type TestContext } from "vitest";
import type { ProfileName } from "../config/profiles.ts";
import type { DrillDefinition } from "../drills/drill.ts";
import { runDrill } from "../drills/run-drill.ts";
import type { DrillResult } from "../report/run-report.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

const results = new Map<string, DrillResult>();

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
  results.set(`${def.id}/${profile}`, result);
  process.stderr.write(`${def.id} (${profile}): ${JSON.stringify(result.figures)}\n`);
  for (const a of result.alerts ?? []) {
    if (a.source !== "prometheus") continue;
    const times = `detect ${a.detectSeconds ?? "–"} s, notify ${a.notifySeconds ?? "–"} s, resolve ${a.resolveSeconds ?? "–"} s`;
    process.stderr.write(
      `  alert ${a.alert} ${JSON.stringify(a.labels)} (${a.expect}): ${a.met ? "met" : "NOT met"}; ${a.expect === "quiet" ? a.detail : times}\n`,
    );
  }
  if (result.verdict === "skipped") ctx.skip(result.reason);
  expect(result.verdict, result.findings.join("\n")).toBe("pass");
}

/**
 * The drill's Grafana-managed alert assertions, as their own test: skipped with the reason where
 * Grafana cannot run (never passed), judged where it does. Runs after `runScenario` of the same drill.
 */
export function grafanaAlerts(def: DrillDefinition, profile: ProfileName, ctx: TestContext): void {
  const result = results.get(`${def.id}/${profile}`);
  if (!result) return ctx.skip("the drill itself did not run");
  const grafana = (result.alerts ?? []).filter((a) => a.source === "grafana");
  if (grafana.length === 0) return ctx.skip("this drill asserts no alerts");
  const skipped = grafana.find((a) => a.skipped);
  if (skipped) return ctx.skip(skipped.skipped);
  const unmet = grafana.filter((a) => !a.met);
  expect(unmet.map((a) => `${a.alert}: ${a.detail}`)).toEqual([]);
}
