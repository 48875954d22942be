/**
 * Drill "load-haproxy" — see harness/drills/load-haproxy.ts for the runbook and what each profile is expected to show.
 */
import { describe, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { loadHaproxy } from "../harness/drills/load-haproxy.ts";
import { scenario } from "../harness/testing/run-scenario.ts";
import { resolveSettings } from "../harness/settings/settings.ts";

// One profile at a time: the load drill measures capacity, and a drill beside it would take some.
describe.each<ProfileName>(resolveSettings().profiles)("load-haproxy, %s profile", (profile) => {
  const drill = scenario(loadHaproxy, profile);
  it(loadHaproxy.expects[profile], (ctx) => drill.verdict(ctx));
  it("Grafana-managed alerts fire and notify too", (ctx) => drill.grafana(ctx));
});
