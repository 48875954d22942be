/**
 * Drill "split-brain-conflict" — see harness/drills/split-brain-conflict.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { splitBrainConflict } from "../harness/drills/split-brain-conflict.ts";
import { grafanaAlerts, runScenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

describe.each<ProfileName>(resolveSettings().profiles)("split-brain-conflict, %s profile", (profile) => {
  it(splitBrainConflict.expects[profile], (ctx) => runScenario(splitBrainConflict, profile, ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) => grafanaAlerts(splitBrainConflict, profile, ctx));
});
