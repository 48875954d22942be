import type { AlertMatcher } from "../alerts/alert-key.ts";
import type { AlertExpectation, AlertOutcome } from "../alerts/expect-alert.ts";
import type { CheckResults } from "../checkers/check-results.ts";
import type { CheckerSpec } from "../checkers/checker.ts";
import type { AvailabilityBounds } from "../checkers/kinds/availability.ts";
import type { ProfileName } from "../config/profiles.ts";
import type { FaultSpan } from "../faults/run-schedule.ts";
import type { ScheduledFault } from "../faults/schedule.ts";
import type { HistoryEvent } from "../history/history.ts";
import type { Settings } from "../settings/settings.ts";
import type { Expectation } from "../store/drill-result.ts";
import type { Waiver } from "../store/check-result.ts";
import type { WorkloadResult } from "../workload/workload.ts";
import type { DrillContext } from "./context.ts";
import type { Checked } from "./steps/judge.ts";
import type { FaultSeries } from "./steps/seed-alerting.ts";
import { hasShape } from "../util/has-shape.ts";
import type { WorkloadOptions } from "../workload/workload-options.ts";

/**
 * A drill as data (Jepsen's test map): its id and title, what it expects of each profile in one
 * sentence, and one plan per profile that the interpreter (interpret.ts) runs. Scripted drills
 * (`specs/<id>.ts`) and the schedules explore found (`found/<id>.json`) are both DrillSpecs; the
 * registry finds them all, and one scenario file runs each.
 */
export interface DrillSpec {
  readonly id: string;
  readonly title: string;
  /** What each profile must show, one sentence: the scenario's test name and the report's line. */
  readonly expects: Record<ProfileName, string>;
  plan(on: { profile: ProfileName; settings: Settings }): DrillPlan;
}

export type DrillPlan = FaultPlan | ScriptedPlan;

/** What the run of a fault plan leaves besides the checkers' results: for expectations and more checkers. */
export interface LoadFacts {
  /** When each fault really ran (inject, heal), in the plan's order. */
  spans: FaultSpan[];
  loadStart: number;
  /** When the last fault's heal ended, and when the last operation did. */
  healTime: number;
  quietTime: number;
  workload: WorkloadResult;
  history: readonly HistoryEvent[];
  /** The checkers `moreCheckers` added, as run. */
  more: readonly CheckerSpec[];
}

/**
 * The declared drill: steady load through HAProxy, the steady state proven `beforeSeconds` in, the
 * faults (the same Schedule entries explore draws) from then on, the load going on `afterSeconds`
 * past the last heal, then the checks after the heal, the expectations and the alerts.
 */
export interface FaultPlan {
  /** The steady load; `mix` and `hotItems` narrow the workload where a drill needs it (workload-options.ts). */
  load: {
    rate: number;
    beforeSeconds: number;
    afterSeconds: number;
    mix?: WorkloadOptions["mix"];
    hotItems?: number;
  };
  /** Offsets count from the moment the steady state is proven. */
  faults: readonly ScheduledFault[];
  afterHeal: {
    /** The replicas must have caught up this long after the (last) heal. */
    convergenceBoundSeconds: number;
    /** How long to keep watching for it (longer than the bound, to measure slow ones). */
    observeSeconds: number;
    availability: AvailabilityBounds;
  };
  /** Checkers that depend on what the run saw (explore's stretches no fault explains). */
  moreCheckers?(facts: Omit<LoadFacts, "more">): CheckerSpec[];
  expect: readonly ExpectationSpec<LoadFacts>[];
  alerts?: AlertPlan;
  /** Checkers whose `unknown` the plan accepts, each with its reason; any other `unknown` fails it. */
  waivers?: readonly Waiver[];
}

/**
 * The escape hatch for what cannot be declared (split-brain's writes on both sides and its repair,
 * load-haproxy's ramp): `extra` acts on the lab and returns the checks it made, its figures and the
 * facts the declared expectations judge; lines it judged itself (alerts) come back already judged.
 */
export interface ScriptedPlan {
  extra(ctx: DrillContext): Promise<Scripted>;
  /** Judged on the facts `extra` returned, in order, before its own lines and its alerts. */
  expect: readonly ExpectationSpec<unknown>[];
  waivers?: readonly Waiver[];
}

export interface Scripted<Facts = unknown> {
  checked: Checked;
  figures: Record<string, number | null>;
  facts: Facts;
  /** Lines `extra` judged itself, placed after the declared ones. */
  expectations?: readonly Expectation[];
  alerts?: AlertOutcome;
}

/** What a plan's expectations judge: the checkers' results by name, the figures, the run's facts. */
export interface Evidence<Facts> {
  results: CheckResults;
  figures: Record<string, number | null>;
  facts: Facts;
}

/**
 * One expectation as data: a stable id (mutants name the ids they must break; no pattern over its
 * prose decides a kill), its words, and how it is judged on the evidence.
 */
export interface ExpectationSpec<Facts> {
  id: string;
  description: string | ((e: Evidence<Facts>) => string);
  judge(e: Evidence<Facts>): { met: boolean; detail?: string; failed?: string[] };
}

/**
 * Which alerts a fault plan judges: the ones it lists (and those it allows beside them); nobody at all
 * (the seed, which has no alert rule as the original), with the series a rule would have read; or,
 * for explored schedules, each covered fault's own (the kinds say which).
 */
export type AlertPlan =
  | { expect: readonly AlertExpectation[]; allow?: readonly AlertMatcher[] }
  | { nobody: FaultSeries | undefined }
  | { covered: true };

export function defineDrill(spec: DrillSpec): DrillSpec {
  return spec;
}

/** A scripted plan with facts of its own type: its expectations are typed against them. */
export function scripted<Facts>(p: {
  extra(ctx: DrillContext): Promise<Scripted<Facts>>;
  expect: readonly ExpectationSpec<Facts>[];
  waivers?: readonly Waiver[];
}): ScriptedPlan {
  return p as unknown as ScriptedPlan;
}

export const isDrillSpec = (value: unknown): value is DrillSpec =>
  hasShape<DrillSpec>(value, { string: ["id", "title"], function: ["plan"], object: ["expects"] });
