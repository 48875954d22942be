import { createHash } from "node:crypto";
import type { ProfileName } from "../../config/profiles.ts";
import { describeSchedule, toFault, type Schedule } from "../../faults/schedule.ts";
import type { ServerStateEvent } from "../../history/history.ts";
import { defineDrill, type DrillSpec } from "../spec.ts";
import { failoverBounds } from "../steps/judge.ts";
import {
  CONVERGENCE_BOUND_SECONDS,
  invariantsText,
  scheduleInvariants,
  unexplainedChecks,
} from "./invariants.ts";
import { explainedWindows } from "./outage-windows.ts";

/** The load of every explored schedule: the single-fault drills' 20 ops/s, and their 4 s before the faults. */
const RATE = 20;
const BEFORE_SECONDS = 4;
/** Load after the last heal: enough for a crashed node1 to come back and serve the last 3 s (as crash-node1's 12 s). */
const AFTER_SECONDS = 12;
/** A request begun this long before a fault may still be in flight on the node it takes away. */
const LEAD_MS = 1000;

/**
 * A schedule's drill id: its seed, for the reader, and a hash of its faults, so the shrinker's
 * candidates (one seed, other faults) each get a report folder of their own.
 */
export function scheduleId(s: Schedule): string {
  const hash = createHash("sha256").update(JSON.stringify(s.faults)).digest("hex").slice(0, 8);
  return `explore-${s.seed}-${hash}`;
}

export interface ScheduleJudging {
  /**
   * Judge every profile by the hardened invariants, what a high-availability stack must do: how the
   * explorer finds the seed's weaknesses by itself. Off for a found schedule kept as a drill, where
   * the seed is held to what the original is expected to show (invariants.ts).
   */
  strict?: boolean;
  /** The drill's id and title, for a found schedule kept under a name of its own. */
  id?: string;
  title?: string;
}

/**
 * An explored schedule as a drill spec, the same type as a scripted drill: steady load through
 * HAProxy, the steady state proven, the schedule's faults at their offsets (concurrently, each
 * healed after its own duration), the load going on after the last heal, the checks of every
 * single-fault drill with the convergence timed from the last heal, judged against the invariants
 * that hold for any schedule (invariants.ts). Held to the hardened invariants, the stretches no
 * active fault explains must serve every request, and each covered fault must raise its alerts (its
 * kind says which); any alert of the rules may fire besides.
 */
export function scheduleSpec(schedule: Schedule, o: ScheduleJudging = {}): DrillSpec {
  const lines = describeSchedule(schedule);
  // Built now: a fault that cannot be built fails before any lab is brought up for it.
  schedule.faults.forEach(toFault);
  return defineDrill({
    id: o.id ?? scheduleId(schedule),
    title: o.title ?? `Explored schedule ${schedule.seed}: ${lines.length ? lines.join("; ") : "no fault"}`,
    expects: o.strict ? { seed: invariantsText.hardened, hardened: invariantsText.hardened } : invariantsText,
    plan: ({ profile }) => {
      const judgedAs: ProfileName = o.strict ? "hardened" : profile;
      // The hardened stack promises its failover bound whatever takes node1 away; the seed does not.
      const allowance = failoverBounds(judgedAs).failoverSeconds;
      return {
        load: { rate: RATE, beforeSeconds: BEFORE_SECONDS, afterSeconds: AFTER_SECONDS },
        faults: schedule.faults,
        afterHeal: {
          convergenceBoundSeconds: CONVERGENCE_BOUND_SECONDS,
          observeSeconds: judgedAs === "seed" ? 90 : 45,
          // Over the whole load, for the figures: one fault's failover bounds cannot judge several.
          availability: {},
        },
        moreCheckers: (facts) =>
          allowance === undefined
            ? []
            : unexplainedChecks(
                explainedWindows(facts.spans, serverStates(facts.history), {
                  leadMs: LEAD_MS,
                  allowanceMs: allowance * 1000,
                }),
                { from: facts.loadStart, until: facts.quietTime },
              ),
        expect: scheduleInvariants(judgedAs),
        // Held to the hardened invariants, each covered fault must raise its alert (the seed has none).
        ...(judgedAs === "hardened" ? { alerts: { covered: true } as const } : {}),
        ...(schedule.faults.length === 0
          ? {
              waivers: [
                { checker: "fault-effect", reason: "the schedule has no fault: there is no effect to see" },
              ],
            }
          : {}),
      };
    },
  });
}

function serverStates(history: readonly { type: string }[]): ServerStateEvent[] {
  return history.filter((e): e is ServerStateEvent => e.type === "server-state");
}
