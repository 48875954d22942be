import { alertExpectationId, NO_UNEXPECTED_ALERT } from "../alerts/alert-expectations.ts";
import { PIPELINE_EXPECTATION } from "../alerts/pipeline-alive.ts";
import type { ProfileName } from "../config/profiles.ts";
import type { Settings } from "../settings/settings.ts";
import type { DrillSpec } from "./spec.ts";

/**
 * The expectation ids a drill declares for a profile, before it runs: its plan's own, those its
 * alert plan produces, and the steady state every drill checks first. A scripted plan's lines judged
 * as it goes are not known beforehand (`complete` false). Mutants name ids from this list.
 */
export function declaredExpectationIds(
  spec: DrillSpec,
  profile: ProfileName,
  settings: Settings,
): { ids: string[]; complete: boolean } {
  const plan = spec.plan({ profile, settings });
  const ids = new Set(["steady-state-before", ...plan.expect.map((e) => e.id)]);
  if ("extra" in plan) return { ids: [...ids], complete: false };
  const alerts = plan.alerts;
  if (alerts && "expect" in alerts) {
    for (const a of alerts.expect) ids.add(alertExpectationId(a.spec));
    ids.add(PIPELINE_EXPECTATION).add(NO_UNEXPECTED_ALERT);
  } else if (alerts && "nobody" in alerts)
    ids.add(PIPELINE_EXPECTATION).add(NO_UNEXPECTED_ALERT).add("nobody-alerted");
  // Covered faults' alerts are known only from the spans of the run.
  return { ids: [...ids], complete: !(alerts && "covered" in alerts) };
}
