import { createHash } from "node:crypto";
import { runCheckers } from "../checkers/checker.ts";
import type { DrillContext, DrillDefinition, DrillOutcome } from "../drills/drill.ts";
import {
  checkAfterHeal,
  checkAlerts,
  withAlerts,
  failoverBounds,
  keyFigures,
  outcomeOf,
  phaseUnderLoad,
} from "../drills/drill-steps.ts";
import type { Fault } from "../faults/fault.ts";
import { requireSupported } from "../faults/fault-target.ts";
import type { ServerStateEvent } from "../history/history.ts";
import {
  CONVERGENCE_BOUND_SECONDS,
  invariantsText,
  scheduleExpectations,
  unexplainedChecks,
} from "./invariants.ts";
import { explainedWindows, type FaultSpan } from "./outage-windows.ts";
import { runTimeline } from "./run-timeline.ts";
import { anyHardenedAlert, coveredAlerts, mergeAlertOutcomes } from "./schedule-alerts.ts";
import { describeSchedule, endSeconds, type Schedule, type ScheduledFault } from "./schedule.ts";
import { toFault } from "./to-fault.ts";

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

/**
 * An explored schedule as a drill: steady load through HAProxy, the steady state proven, then the
 * schedule's faults at their offsets (concurrently, each healed after its own duration), the load
 * going on after the last heal, then the checks of every single-fault drill, the convergence timed
 * from the last heal, judged against the invariants that hold for any schedule (invariants.ts).
 * Alerts are judged for the covered faults only (schedule-alerts.ts): one a scripted drill proves,
 * alone while it lasts, for at least as long; any alert of the rules may fire besides.
 */
export function scheduleDrill(
  schedule: Schedule,
  faultOf: (f: ScheduledFault) => Fault = toFault,
  o: ScheduleJudging = {},
): DrillDefinition {
  const lines = describeSchedule(schedule);
  // Built now: a fault that cannot be built fails before any lab is brought up for it.
  const faults = schedule.faults.map(faultOf);
  return {
    id: scheduleId(schedule),
    title: `Explored schedule ${schedule.seed}: ${lines.length ? lines.join("; ") : "no fault"}`,
    expects: o.strict ? { seed: invariantsText.hardened, hardened: invariantsText.hardened } : invariantsText,
    run: (ctx) => runSchedule(ctx, schedule, faults, o.strict ? "hardened" : ctx.profile),
  };
}

export interface ScheduleJudging {
  /**
   * Judge every profile by the hardened invariants, what a high-availability stack must do: how the
   * explorer finds the seed's weaknesses by itself. Off for a found schedule kept as a drill, where
   * the seed is held to what the original is expected to show (invariants.ts).
   */
  strict?: boolean;
}

async function runSchedule(
  ctx: DrillContext,
  schedule: Schedule,
  faults: Fault[],
  judgedAs: DrillContext["profile"],
): Promise<DrillOutcome> {
  // A fault this lab cannot inject makes the schedule skipped before any load is sent.
  for (const f of faults) await requireSupported(ctx.lab, f);
  const lastEnd = Math.max(0, ...schedule.faults.map(endSeconds));
  let spans: FaultSpan[] = [];
  const load = await phaseUnderLoad(
    ctx,
    {
      description: `${faults.length} fault(s) from ${BEFORE_SECONDS} s: ${describeSchedule(schedule).join("; ") || "none"}`,
      seconds: lastEnd,
      // A heal can take seconds (a crashed server's databases start again) and delay its successor.
      slackSeconds: 15 * faults.length,
      run: async () => {
        spans = await runTimeline(ctx, schedule, { faults });
      },
    },
    { rate: ctx.overrides.rate ?? RATE, beforeSeconds: BEFORE_SECONDS, afterSeconds: AFTER_SECONDS },
  );
  const checked = await checkAfterHeal(ctx, load, {
    convergenceBoundSeconds: CONVERGENCE_BOUND_SECONDS,
    observeSeconds: judgedAs === "seed" ? 90 : 45,
    // Over the whole load, for the figures: one fault's failover bounds cannot judge several.
    availability: {},
  });
  // The hardened stack promises its failover bound whatever takes node1 away; the seed does not.
  const allowance = failoverBounds(judgedAs).failoverSeconds;
  const unexplained =
    allowance === undefined
      ? []
      : unexplainedChecks(
          explainedWindows(spans, serverStates(ctx), { leadMs: LEAD_MS, allowanceMs: allowance * 1000 }),
          { from: load.loadStart, until: load.quietTime },
        );
  for (const v of runCheckers(unexplained, { history: ctx.history.events })) checked.verdicts[v.checker] = v;
  checked.checkers.push(...unexplained);
  const v = checked.verdicts;
  let outcome = outcomeOf(
    checked,
    keyFigures(v, load.workload),
    scheduleExpectations(judgedAs, v, { spans, quietAt: load.quietTime, unexplained }),
  );
  // Held to the hardened invariants, each covered fault must raise its alert (the seed has none).
  if (judgedAs === "hardened") {
    const parts = [];
    for (const c of coveredAlerts(spans))
      parts.push({
        name: c.span.name,
        outcome: await checkAlerts(ctx, c.expected, {
          allow: anyHardenedAlert,
          faultAt: c.span.injectAt,
          healAt: c.span.healAt,
        }),
      });
    if (parts.length > 0) outcome = withAlerts(outcome, mergeAlertOutcomes(parts));
  }
  return schedule.faults.length > 0
    ? outcome
    : {
        ...outcome,
        waivers: [
          { checker: "fault-effect", reason: "the schedule has no fault: there is no effect to see" },
        ],
      };
}

function serverStates(ctx: DrillContext): ServerStateEvent[] {
  return ctx.history.events.filter((e): e is ServerStateEvent => e.type === "server-state");
}
