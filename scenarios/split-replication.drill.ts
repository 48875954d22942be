/**
 * Drill "split-replication" — see harness/drills/split-replication.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { splitReplicationDrill } from "../harness/drills/split-replication.ts";
import { grafanaAlerts, runScenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

describe.each<ProfileName>(resolveSettings().profiles)("split-replication, %s profile", (profile) => {
  it(splitReplicationDrill.expects[profile], (ctx) => runScenario(splitReplicationDrill, profile, ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) =>
    grafanaAlerts(splitReplicationDrill, profile, ctx));
});
