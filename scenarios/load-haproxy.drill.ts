/**
 * Drill "load-haproxy" — see harness/drills/load-haproxy.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { loadHaproxy } from "../harness/drills/load-haproxy.ts";
import { grafanaAlerts, runScenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

describe.each<ProfileName>(resolveSettings().profiles)("load-haproxy, %s profile", (profile) => {
  it(loadHaproxy.expects[profile], (ctx) => runScenario(loadHaproxy, profile, ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) => grafanaAlerts(loadHaproxy, profile, ctx));
});
