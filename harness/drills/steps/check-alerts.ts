import type { AlertMatcher } from "../../alerts/alert-key.ts";
import { assertAlerts, type AlertExpectation, type AlertOutcome } from "../../alerts/expect-alert.ts";
import type { DrillContext } from "../context.ts";

/** Judges the drill's alert expectations (waiting within their budgets) from what the watcher recorded. */
export function checkAlerts(
  ctx: DrillContext,
  expected: readonly AlertExpectation[],
  o: { allow?: readonly AlertMatcher[]; faultAt?: number; healAt?: number } = {},
): Promise<AlertOutcome> {
  ctx.progress.detail(`judging ${expected.length} alert expectation(s)`);
  return assertAlerts(expected, {
    watcher: ctx.alerts,
    history: ctx.history,
    grafanaSkipped: ctx.grafanaSkipped,
    ...o,
  });
}
