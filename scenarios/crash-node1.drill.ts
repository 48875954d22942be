/**
 * Drill "crash-node1" — see harness/drills/crash-node1.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { crashNode1 } from "../harness/drills/crash-node1.ts";
import { grafanaAlerts, runScenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

describe.each<ProfileName>(resolveSettings().profiles)("crash-node1, %s profile", (profile) => {
  it(crashNode1.expects[profile], (ctx) => runScenario(crashNode1, profile, ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) => grafanaAlerts(crashNode1, profile, ctx));
});
