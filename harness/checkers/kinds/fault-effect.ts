import { z } from "zod";
import { defineChecker } from "../checker.ts";
import { faultEvents, type HistoryEvent } from "../../history/history.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";

/**
 * Every fault had its observable effect: each `inject` that names an effect is followed, before its
 * heal, by an `effect` event (the evidence). A fault that "ran" but changed nothing proves nothing,
 * and a drill that passes on it passes vacuously. A drill that injected nothing is unknown.
 */
export function checkFaultEffect(history: readonly HistoryEvent[]): CheckResult {
  const events = faultEvents(history);
  const findings: Finding[] = [];
  let injected = 0;
  let seen = 0;
  let unhealed = 0;
  events.forEach((inject, i) => {
    if (inject.phase !== "inject") return;
    injected++;
    const rest = events.slice(i + 1);
    const heal = rest.find((e) => e.fault === inject.fault && e.phase === "heal");
    const healAt = heal?.time ?? Infinity;
    const effect = rest.find((e) => e.fault === inject.fault && e.phase === "effect" && e.time <= healAt);
    if (effect) {
      seen++;
      return;
    }
    if (!heal) {
      // The history ends with the fault still on (a killed run): its effect may simply not have come yet.
      unhealed++;
      findings.push({
        kind: "never-healed",
        message: `${inject.fault}: the history ends before its heal, and before its effect was seen`,
      });
      return;
    }
    findings.push({
      kind: "no-effect",
      message: inject.effect
        ? `fault had no observable effect: ${inject.fault} (expected: ${inject.effect})`
        : `fault had no observable effect: ${inject.fault} states no effect to look for`,
      evidence: { fault: inject.fault, injectedAt: inject.time },
    });
  });
  if (injected === 0)
    return {
      checker: "fault-effect",
      valid: "unknown",
      findings: [{ kind: "no-fault", message: "no fault was injected" }],
      figures: { faults: 0, effectsSeen: 0 },
    };
  const failed = findings.filter((f) => f.kind === "no-effect").length;
  return {
    checker: "fault-effect",
    valid: failed > 0 ? false : unhealed > 0 ? "unknown" : true,
    findings,
    figures: { faults: injected, effectsSeen: seen },
  };
}

export default defineChecker({
  id: "fault-effect",
  description:
    "every fault had its observable effect before its heal (a fault that changed nothing proves nothing)",
  options: z.undefined(),
  needs: [],
  figures: ["faults", "effectsSeen"],
  keyFigures: [],
  check: (input) => checkFaultEffect(input.history),
});
