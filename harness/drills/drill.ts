import type { ProfileName } from "../config/profiles.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import type { Progress } from "../progress/progress.ts";
import type { Verdict } from "../checkers/verdict.ts";
import type { CheckerSpec, ObservedState, Waiver } from "../checkers/checker.ts";
import type { ConvergenceSample } from "../checkers/convergence.ts";
import type { LoadOverrides } from "./load-overrides.ts";
import type { AlertWatcher } from "../alerts/alert-watcher.ts";
import type { AlertResult } from "../report/run-report.ts";

export interface DrillContext {
  lab: Lab;
  profile: ProfileName;
  history: HistoryRecorder;
  /** Prefix of every row this drill writes. */
  tag: string;
  dir: string;
  progress: Progress;
  /** From `firedrill run --rate/--duration`; drills under load honour them. */
  overrides: LoadOverrides;
  /** Records alerts and notifications into the history for the whole drill. */
  alerts: AlertWatcher;
  /** Why Grafana's alerts cannot be asserted on this lab; undefined where Grafana runs. */
  grafanaSkipped: string | undefined;
  /** Samples HAProxy's server states and both replicas' threads into the history for the whole drill. */
  states: { sync(): Promise<void> };
  /** Runs `fn` when the drill ends, whatever happens (stops observers a failed drill left running). */
  defer(fn: () => Promise<unknown>): void;
}

export interface DrillOutcome {
  verdicts: Verdict[];
  /** Key figures for the summary (failover seconds, writes lost, …). */
  figures: Record<string, number | null>;
  /** What this profile was expected to show, and whether it did; unmet expectations fail the drill. */
  expectations: { description: string; met: boolean; detail?: string }[];
  /** The alerts this drill asserted, with their detect / notify / resolve times. */
  alerts?: AlertResult[];
  /** The checkers the drill ran, with their options: `firedrill report` rebuilds exactly these. */
  checkers?: CheckerSpec[];
  /** Checkers whose `unknown` the drill accepts, each with its reason; any other `unknown` fails it. */
  waivers?: Waiver[];
  /** The checkers' inputs besides the history, saved as observed.json and convergence.json. */
  observed?: ObservedState;
  samples?: readonly ConvergenceSample[];
}

/**
 * The drill's steady state did not hold before its fault (Chaos Toolkit's hypothesis): the fault was
 * never injected, and the drill fails — a stack broken from the start proves nothing about the fault.
 */
export class SteadyStateNotMetError extends Error {
  constructor(readonly verdict: Verdict) {
    super(`steady state not met before the fault: ${verdict.findings.map((f) => f.message).join("; ")}`);
    this.name = "SteadyStateNotMetError";
  }
}

/** A drill: a named runbook that acts on a lab and states what it expects of each profile. */
export interface DrillDefinition {
  id: string;
  title: string;
  expects: Record<ProfileName, string>;
  run(ctx: DrillContext): Promise<DrillOutcome>;
}

export function expectation(description: string, met: boolean, detail?: string) {
  return { description, met, ...(detail ? { detail } : {}) };
}

/** Seconds for an expectation's detail: "1.23 s", or "–" when there is no figure. */
export function fmtSeconds(s: number | null | undefined): string {
  return s === null || s === undefined ? "–" : `${Math.round(s * 100) / 100} s`;
}

/** Expects a checker to find nothing; the detail quotes its first findings when it did. */
export function verdictHolds(description: string, verdict: Verdict | undefined) {
  const findings = verdict?.findings ?? [{ message: "the checker did not run" }];
  return expectation(
    description,
    verdict?.valid === true,
    findings
      .map((f) => f.message)
      .slice(0, 5)
      .join("; "),
  );
}
