import { describe, inject, it, type TestContext } from "vitest";
import type { ProfileName } from "../config/profiles.ts";
import type { DrillSpec } from "../drills/spec.ts";
import { drillSettings } from "../drills/context.ts";
import { DrillFolder } from "../store/run-store.ts";
import { runDrill } from "../drills/run-drill.ts";
import type { DrillResult } from "../store/drill-result.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { attachExistingLab } from "../providers/existing/existing-provider.ts";

/** Whether each profile has a shared lab of its own, so the two profiles' drills can run side by side. */
export function sideBySide(): boolean {
  return Object.keys(inject("labFiles")).length > 1;
}

export interface Scenario {
  /** The drill's own test: pass, fail with the findings, or skipped with the reason. */
  verdict(ctx: TestContext): Promise<void>;
  /** Its Grafana-managed alert assertions: skipped with the reason where Grafana cannot run. */
  grafana(ctx: TestContext): Promise<void>;
}

/**
 * One drill in one profile: its verdict test and its Grafana test, both reading one run of the drill
 * (`result`, started by whichever asks first).
 */
export function scenario(result: () => Promise<DrillResult>): Scenario {
  return {
    async verdict(ctx) {
      const r = await result();
      if (r.verdict === "skipped") ctx.skip(r.reason);
      ctx.expect(r.verdict, r.findings.join("\n")).toBe("pass");
    },
    async grafana(ctx) {
      const r = await result().catch(() => undefined);
      if (!r) return ctx.skip("the drill itself did not run");
      const grafana = (r.alerts ?? []).filter((a) => a.source === "grafana");
      if (grafana.length === 0) return ctx.skip("this drill asserts no alerts");
      const skipped = grafana.find((a) => a.skipped);
      if (skipped) return ctx.skip(skipped.skipped);
      const unmet = grafana.filter((a) => !a.met);
      ctx.expect(unmet.map((a) => `${a.alert}: ${a.detail}`)).toEqual([]);
    },
  };
}

/**
 * One drill's suite: for each profile of the run, the drill's verdict and its Grafana assertions.
 * The tests run in order, drill after drill (one file holds every drill, and two drills on one shared
 * lab must never meet), and the profiles one after the other, each on its lab. Side by side, the two
 * profiles of one drill injected the same fault at the same second (both node1 databases restarting
 * at once on 2 cores): kill-node1-db's seed app stalled after the heal (14 arrivals could not be
 * sent) and its hardened node1 was back in rotation before its replica had applied node2's writes
 * (a stale read), in CI and in a clean run alike. One at a time costs about 150 s of the run.
 */
export function drillSuite(def: DrillSpec): void {
  describe.each<ProfileName>(resolveSettings().profiles)(`${def.id}, %s profile`, (profile) => {
    let run: Promise<DrillResult> | undefined;
    const drill = scenario(() => (run ??= runScenarioDrill(def, profile)));
    it(def.expects[profile], (ctx) => drill.verdict(ctx));
    it("Grafana-managed alerts fire and notify too", (ctx) => drill.grafana(ctx));
  });
}

async function runScenarioDrill(def: DrillSpec, profile: ProfileName): Promise<DrillResult> {
  const progress = stderrProgress({ prefix: `${def.id} ${profile}` });
  const labFile = inject("labFiles")[profile];
  const result = await runDrill(def, profile, {
    folder: new DrillFolder(inject("reportRunDir"), def.id, profile),
    settings: drillSettings(resolveSettings(), process.env),
    progress,
    ...(labFile ? { attach: () => attachExistingLab(labFile, { progress }) } : {}),
  });
  process.stderr.write(`${def.id} (${profile}): ${JSON.stringify(result.figures)}\n`);
  for (const a of result.alerts ?? []) {
    if (a.source !== "prometheus") continue;
    const times = `detect ${a.detectSeconds ?? "–"} s, notify ${a.notifySeconds ?? "–"} s, resolve ${a.resolveSeconds ?? "–"} s`;
    process.stderr.write(
      `  alert ${a.alert} ${JSON.stringify(a.labels)} (${a.expect}): ${a.met ? "met" : "NOT met"}; ${a.expect === "quiet" ? a.detail : times}\n`,
    );
  }
  return result;
}
