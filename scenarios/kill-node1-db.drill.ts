/**
 * Drill "kill-node1-db" — see harness/drills/kill-node1-db.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { killNode1Db } from "../harness/drills/kill-node1-db.ts";
import { scenario, sideBySide } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

// The two profiles side by side when each has its own shared lab (their faults never meet); one
// after the other when every drill brings its own lab up.
describe.each<ProfileName>(resolveSettings().profiles)(
  "kill-node1-db, %s profile",
  { concurrent: sideBySide() },
  (profile) => {
    const drill = scenario(killNode1Db, profile);
    it(killNode1Db.expects[profile], (ctx) => drill.verdict(ctx));
    it("Grafana-managed alerts fire and notify too", (ctx) => drill.grafana(ctx));
  },
);
