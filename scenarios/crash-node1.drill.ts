/**
 * Drill "crash-node1" — see harness/drills/crash-node1.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { crashNode1 } from "../harness/drills/crash-node1.ts";
import { scenario, sideBySide } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

// The two profiles side by side when each has its own shared lab (their faults never meet); one
// after the other when every drill brings its own lab up.
describe.each<ProfileName>(resolveSettings().profiles)(
  "crash-node1, %s profile",
  { concurrent: sideBySide() },
  (profile) => {
    const drill = scenario(crashNode1, profile);
    it(crashNode1.expects[profile], (ctx) => drill.verdict(ctx));
    it("Grafana-managed alerts fire and notify too", (ctx) => drill.grafana(ctx));
  },
);
