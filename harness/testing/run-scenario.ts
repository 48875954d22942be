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
 * lab must never meet); the two profiles' runs go side by side when each has its own shared lab —
 * the drill's first test starts both, each test awaits its own — and one after the other when every
 * drill brings its own lab up, or when the drill runs `alone` (it measures capacity, which a drill
 * beside it would take some of).
 */
export function drillSuite(def: DrillSpec): void {
  const profiles = resolveSettings().profiles;
  const runs = new Map<ProfileName, Promise<DrillResult>>();
  const start = (profile: ProfileName) => {
    let run = runs.get(profile);
    if (!run) {
      run = runScenarioDrill(def, profile);
      // Awaited by its own tests, maybe later: a rejection before then is theirs to report.
      run.catch(() => undefined);
      runs.set(profile, run);
    }
    return run;
  };
  const together = !def.alone && sideBySide();
  const result = (profile: ProfileName) => () => {
    if (together) for (const p of profiles) void start(p);
    return start(profile);
  };
  describe.each<ProfileName>(profiles)(`${def.id}, %s profile`, (profile) => {
    const drill = scenario(result(profile));
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
