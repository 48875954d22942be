/**
 * Drill "kill-node1-db" — see harness/drills/kill-node1-db.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { killNode1Db } from "../harness/drills/kill-node1-db.ts";
import { grafanaAlerts, runScenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

describe.each<ProfileName>(resolveSettings().profiles)("kill-node1-db, %s profile", (profile) => {
  it(killNode1Db.expects[profile], (ctx) => runScenario(killNode1Db, profile, ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) => grafanaAlerts(killNode1Db, profile, ctx));
});
