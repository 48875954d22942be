import { requireSupported } from "../faults/lab-target.ts";
import { runSchedule, type FaultSpan } from "../faults/run-schedule.ts";
import { describeSchedule, endSeconds, toFault, type ScheduledFault } from "../faults/schedule.ts";
import type { LoadOverrides } from "../settings/load-overrides.ts";
import type { DrillContext } from "./context.ts";
import { judgeExpectations } from "./expectations.ts";
import type { DrillOutcome } from "./outcome.ts";
import type { DrillPlan, DrillSpec, FaultPlan, LoadFacts, Scripted, ScriptedPlan } from "./spec.ts";
import { judgePlannedAlerts, withAlerts } from "./steps/alerts.ts";
import { checkAfterHeal, keyFigures, withMoreCheckers, type Checked } from "./steps/judge.ts";
import { phaseUnderLoad } from "./steps/load.ts";

/**
 * The one interpreter (Jepsen's `run!`): a drill's plan for the context's profile, run on its lab.
 * A fault plan: load, steady state, faults, heal, the checks after it, the declared expectations,
 * the alerts; a scripted plan: its own acts, then the declared expectations on what they returned.
 */
export async function interpret(spec: DrillSpec, ctx: DrillContext): Promise<DrillOutcome> {
  const plan: DrillPlan = spec.plan({ profile: ctx.profile, settings: ctx.settings });
  return "extra" in plan ? runScripted(ctx, plan) : runFaultPlan(ctx, plan);
}

/**
 * `--duration` is the seconds a drill's fault lasts: it applies to a plan with one fault; in a plan
 * of several, each keeps its own (said, not silently ignored).
 */
export function withOverrides(
  faults: readonly ScheduledFault[],
  o: LoadOverrides,
  warn: (message: string) => void,
): ScheduledFault[] {
  if (o.faultSeconds === undefined) return [...faults];
  if (faults.length !== 1) {
    warn(`--duration applies to a drill with one fault; this one has ${faults.length}, each keeps its own`);
    return [...faults];
  }
  return [{ ...faults[0]!, durationSeconds: o.faultSeconds }];
}

async function runFaultPlan(ctx: DrillContext, plan: FaultPlan): Promise<DrillOutcome> {
  const faults = withOverrides(plan.faults, ctx.settings.overrides, (m) => ctx.progress.warn(m));
  // Built now, and asked of the lab: a fault it cannot inject is reported skipped before any load.
  const built = faults.map(toFault);
  for (const f of built) await requireSupported(ctx.lab, f);
  const schedule = { seed: 0, faults };
  let spans: FaultSpan[] = [];
  const load = await phaseUnderLoad(
    ctx,
    {
      description: describeSchedule(schedule).join("; ") || "no fault",
      seconds: Math.max(0, ...faults.map(endSeconds)),
      // A heal can take seconds (a crashed server's databases start again) and delay its successor.
      slackSeconds: 15 * faults.length,
      run: async () => {
        spans = await runSchedule(ctx, schedule, { faults: built });
      },
    },
    { ...plan.load, rate: ctx.settings.overrides.rate ?? plan.load.rate },
  );
  let checked = await checkAfterHeal(ctx, load, plan.afterHeal);
  const base = {
    spans,
    loadStart: load.loadStart,
    healTime: load.healTime,
    quietTime: load.quietTime,
    workload: load.workload,
    history: ctx.history.events,
  };
  const more = plan.moreCheckers?.(base) ?? [];
  checked = withMoreCheckers(ctx, checked, more);
  const facts: LoadFacts = { ...base, more };
  const figures = keyFigures(checked.results, load.workload);
  const outcome = outcomeOf(
    checked,
    figures,
    judgeExpectations(plan.expect, { results: checked.results, figures, facts }),
  );
  if (plan.waivers) outcome.waivers = [...plan.waivers];
  const alerts = plan.alerts ? await judgePlannedAlerts(ctx, plan.alerts, facts) : undefined;
  return alerts ? withAlerts(outcome, alerts) : outcome;
}

async function runScripted(ctx: DrillContext, plan: ScriptedPlan): Promise<DrillOutcome> {
  const s: Scripted = await plan.extra(ctx);
  const e = { results: s.checked.results, figures: s.figures, facts: s.facts };
  const outcome = outcomeOf(s.checked, s.figures, [
    ...judgeExpectations(plan.expect, e),
    ...(s.expectations ?? []),
  ]);
  if (plan.waivers) outcome.waivers = [...plan.waivers];
  return s.alerts ? withAlerts(outcome, s.alerts) : outcome;
}

/** A drill's outcome from its checks: results, checkers and their inputs, figures and expectations. */
export function outcomeOf(
  checked: Checked,
  figures: Record<string, number | null>,
  expectations: DrillOutcome["expectations"],
): DrillOutcome {
  return {
    results: [...checked.results.list],
    checkers: checked.checkers,
    observed: checked.observed,
    ...(checked.samples ? { samples: checked.samples } : {}),
    figures,
    expectations,
  };
}
