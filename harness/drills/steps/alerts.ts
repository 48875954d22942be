import type { AlertMatcher } from "../../alerts/alert-key.ts";
import { expectAlert, type AlertExpectation, type AlertOutcome } from "../../alerts/expect-alert.ts";
import { checkAlerts } from "./check-alerts.ts";
import { kindOf } from "../../faults/fault-kinds.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";
import type { DrillContext } from "../context.ts";
import type { DrillOutcome } from "../outcome.ts";
import type { AlertPlan, LoadFacts } from "../spec.ts";
import { HARDENED_ALERTS } from "./hardened-alerts.ts";
import { seedNobodyAlerted } from "./seed-alerting.ts";

/** Budgets of the hardened profile (issue 4's targets): firing ≤ 10 s, notified ≤ 15 s, resolved ≤ 15 s. */
export const ALERT_BUDGET = { fires: 10, notified: 15, resolves: 15 } as const;

/** An alert that must fire, notify and resolve within the hardened budgets. */
export const alertWithinBudget = (name: string, labels?: Record<string, string>): AlertExpectation =>
  expectAlert(name, labels)
    .firesWithin(ALERT_BUDGET.fires)
    .notifiedWithin(ALERT_BUDGET.notified)
    .resolvesWithin(ALERT_BUDGET.resolves);

/** A drill's outcome with its alert judgement folded in. */
export function withAlerts(outcome: DrillOutcome, a: AlertOutcome): DrillOutcome {
  return {
    ...outcome,
    figures: { ...outcome.figures, ...a.figures },
    expectations: [...outcome.expectations, ...a.expectations],
    alerts: a.alerts,
  };
}

/** A fault plan's alerts, judged as it declared them. */
export async function judgePlannedAlerts(
  ctx: DrillContext,
  plan: AlertPlan,
  facts: LoadFacts,
): Promise<AlertOutcome | undefined> {
  if ("expect" in plan) return checkAlerts(ctx, plan.expect, { allow: plan.allow ?? [] });
  if ("nobody" in plan) return seedNobodyAlerted(ctx, plan.nobody);
  const parts = [];
  for (const c of coveredAlerts(facts.spans))
    parts.push({
      name: c.span.name,
      outcome: await checkAlerts(ctx, c.expected, {
        allow: anyHardenedAlert,
        faultAt: c.span.injectAt,
        healAt: c.span.healAt,
      }),
    });
  return parts.length > 0 ? mergeAlertOutcomes(parts) : undefined;
}

/** In an explored schedule any alert of the hardened rules may fire beside the expected ones. */
export const anyHardenedAlert: readonly AlertMatcher[] = HARDENED_ALERTS.map((name) => ({ name }));

/**
 * A fault is covered when a scripted drill proves which alert it raises and how fast (the same fault
 * for as long: 10 s) and nothing else was going on while it was active, so nothing could hide that
 * alert or explain it away. Which alerts that is, its kind says (crash: ServerDown; a killed
 * database: MariaDBDown; a killed app: AppInstanceDown; split replication: both IO threads).
 */
export const COVERED_MIN_SECONDS = 10;

const overlaps = (a: FaultSpan, b: FaultSpan) => a.injectAt < b.healedAt && b.injectAt < a.healedAt;

/** The covered faults of a run, each with the alerts it must raise, notify and resolve. */
export function coveredAlerts(
  spans: readonly FaultSpan[],
): { span: FaultSpan; expected: AlertExpectation[] }[] {
  return spans
    .filter((s) => (s.healAt - s.injectedAt) / 1000 >= COVERED_MIN_SECONDS)
    .filter((s) => !spans.some((o) => o !== s && overlaps(o, s)))
    .map((span) => ({
      span,
      expected: (kindOf(span.fault.kind).alerts?.(span.fault.target) ?? []).map((m) =>
        alertWithinBudget(m.name, m.labels),
      ),
    }))
    .filter((c) => c.expected.length > 0);
}

/**
 * Several faults' alert judgements as one: every alert and expectation, each expectation (and its id)
 * prefixed by its fault, and each figure the worst (largest) of the faults'.
 */
export function mergeAlertOutcomes(parts: readonly { name: string; outcome: AlertOutcome }[]): AlertOutcome {
  const figures: Record<string, number | null> = {};
  for (const p of parts)
    for (const [k, v] of Object.entries(p.outcome.figures)) {
      const was = figures[k];
      figures[k] = v === null ? (was ?? null) : was === undefined || was === null ? v : Math.max(was, v);
    }
  return {
    alerts: parts.flatMap((p) => p.outcome.alerts),
    expectations: parts.flatMap((p) =>
      p.outcome.expectations.map((e) => ({
        ...e,
        ...(e.id ? { id: `${p.name}: ${e.id}` } : {}),
        description: `${p.name}: ${e.description}`,
      })),
    ),
    figures,
  };
}
