import type { CheckerSpec } from "../../checkers/checker.ts";
import type { AvailabilityBounds } from "../../checkers/kinds/availability.ts";
import availability from "../../checkers/kinds/availability.ts";
import type { ProfileName } from "../../config/profiles.ts";
import type { CheckResult } from "../../store/check-result.ts";
import type { Expectation } from "../../store/drill-result.ts";
import { expectation, resultHolds } from "../expectations.ts";
import type { Evidence, ExpectationSpec, LoadFacts } from "../spec.ts";
import { kindOf } from "../../faults/fault-kinds.ts";
import { gaps, type Window } from "./outage-windows.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";

/** The bound on the catch-up after the last heal: the longest a single-fault drill allows (split-replication). */
export const CONVERGENCE_BOUND_SECONDS = 15;

/**
 * A link fault whose effect was not seen is excused only when faults on its ends covered all but
 * this much of it: looking for a cut takes a second or two (a replica must be seen a second behind).
 */
const UNCOVERED_SLACK_MS = 3000;

/** What every explored schedule must show, per profile: the drill's `expects`. */
export const invariantsText: Record<ProfileName, string> = {
  hardened:
    "every fault has its effect; no acknowledged write lost; no stale read once quiet; no failed request outside the outage windows the active faults explain (≤ 2 s after the serving node changes, and while no node can serve; a 404 for what replication has not brought yet is a stale read, measured); replicas caught up ≤ 15 s after the last heal and equal after the last write; replication healthy after heal; steady state before and after; each covered fault (alone for ≥ 10 s: a crash, a killed database or app, split replication) raises its alert ≤ 10 s, notified ≤ 15 s, resolved ≤ 15 s after its heal",
  seed: "every fault has its effect; no acknowledged write lost; no stale read once quiet; the replicas end equal (late, with the operator's repair: the original's 60 s retry); replication healthy after the repair; steady state before and after; availability measured, not asserted (the original's TCP check fails over late, or never)",
};

const shownWindow = (w: Window) => `${(w.from / 1000).toFixed(1)}–${(w.until / 1000).toFixed(1)} s`;

/**
 * One availability check per stretch of the load (`load`, history ms) that no window covers: there,
 * no active fault explains a failure, and every request must succeed. Plain availability checkers
 * over a window, so `firedrill report` re-runs them as it re-runs any other.
 */
export function unexplainedChecks(windows: readonly Window[], load: Window): CheckerSpec[] {
  return gaps(windows, load.from, load.until).map((w, i) =>
    availability.spec(
      // A 404 there is a node answering without what replication has not brought yet (stale-reads).
      { window: { from: w.from, until: w.until }, maxErrorWindowSeconds: 0, notFoundIsAnswer: true },
      `availability-unexplained-${i + 1}`,
    ),
  );
}

/** The servers a fault acts on (a server, a service's server); none for a link. */
function serverOf(s: FaultSpan): string | undefined {
  const kind = kindOf(s.fault.kind);
  return kind.scope(s.fault.target) === "link" ? undefined : kind.servers(s.fault.target)[0];
}

/** The servers whose state a link fault's effect is looked at from, or through; none for others. */
function endsOf(s: FaultSpan): string[] {
  const kind = kindOf(s.fault.kind);
  return kind.scope(s.fault.target) === "link" ? kind.servers(s.fault.target) : [];
}

/**
 * Whether a link fault's effect may have been hidden by faults on its ends: a partition is looked
 * for from inside one end, split replication by reading both databases, and a crashed, frozen or
 * killed end answers nothing either way. True when those faults covered all of it but a little.
 */
export function hiddenByOthers(span: FaultSpan, spans: readonly FaultSpan[]): boolean {
  const ends = endsOf(span);
  if (ends.length === 0) return false;
  const cover = spans
    .filter((o) => o !== span && ends.includes(serverOf(o) ?? ""))
    .map((o) => ({ from: o.injectAt, until: o.healedAt }));
  const uncovered = gaps(cover, span.injectedAt, span.healAt).reduce((n, g) => n + g.until - g.from, 0);
  return cover.length > 0 && uncovered < UNCOVERED_SLACK_MS;
}

/** Every fault had its effect, but where faults on a link's ends may have hidden it (said in the detail). */
function effectsSeen(v: CheckResult | undefined, spans: readonly FaultSpan[]) {
  const id = "every-fault-effect";
  const description = "every fault had its observable effect";
  if (spans.length === 0) return expectation(id, description, true, "the schedule has no fault");
  if (!v) return expectation(id, description, false, "the checker did not run");
  const excused: string[] = [];
  const unmet = v.findings.filter((f) => {
    if (f.kind !== "no-effect") return true;
    const e = f.evidence as { fault?: string; injectedAt?: number } | undefined;
    const span = spans.findLast((s) => s.name === e?.fault && s.injectAt <= (e?.injectedAt ?? -Infinity));
    if (span && hiddenByOthers(span, spans)) {
      excused.push(`${span.name} (hidden by faults on its ends)`);
      return false;
    }
    return true;
  });
  const met = unmet.length === 0 && (v.valid === true || excused.length > 0);
  const detail = [
    ...unmet.map((f) => f.message),
    ...(excused.length ? [`not seen: ${excused.join(", ")}`] : []),
  ];
  return expectation(id, description, met, detail.slice(0, 5).join("; "));
}

/** Stale reads once the load is over (the read-back of every acknowledged item); a wrong text never. */
function noStaleReadOnceQuiet(v: CheckResult | undefined, quietAt: number) {
  const id = "no-stale-read-once-quiet";
  const description = "no stale read once quiet (the read-back of every acknowledged item), no wrong read";
  if (!v) return expectation(id, description, false, "the checker did not run");
  const late = v.findings.filter(
    (f) =>
      f.kind !== "stale-read" || ((f.evidence as { readAt?: number } | undefined)?.readAt ?? 0) >= quietAt,
  );
  const during = v.findings.length - late.length;
  const detail = [
    ...late.slice(0, 5).map((f) => f.message),
    ...(during ? [`${during} stale read(s) during the faults (measured, not asserted)`] : []),
  ];
  return expectation(id, description, v.valid !== "unknown" && late.length === 0, detail.join("; "));
}

/** No request failed in a stretch of the load that no active fault explains. */
function noUnexplainedFailure(v: Record<string, CheckResult>, checks: readonly CheckerSpec[]) {
  const failures = checks.flatMap((c) => {
    const verdict = v[c.name ?? c.id];
    const failed = verdict?.figures.requestsFailed;
    const w = c.id === "availability" ? (c.options as AvailabilityBounds | undefined)?.window : undefined;
    const where = w ? shownWindow({ from: w.from, until: w.until ?? Infinity }) : c.name;
    if (!verdict || verdict.valid === "unknown" || failed === null || failed === undefined)
      return [`${c.name}: could not be judged`];
    return failed > 0 ? [`${failed} failed at ${where}`] : [];
  });
  return expectation(
    "no-unexplained-failure",
    "no failed request outside the outage windows the active faults explain",
    failures.length === 0,
    failures.slice(0, 5).join("; "),
  );
}

export interface ScheduleEvidence {
  spans: readonly FaultSpan[];
  /** When the load ended (history ms): reads from here on are the read-back. */
  quietAt: number;
  /** The availability checks of the stretches no fault explains (`unexplainedChecks`); hardened only. */
  unexplained: readonly CheckerSpec[];
}

/**
 * What an explored schedule must show in `profile`, from the checkers' results: the invariants that
 * hold for any schedule there. The seed is held to its safety (nothing lost, the replicas end equal)
 * and not to the availability and catch-up times it is known to miss.
 */
export function scheduleExpectations(
  profile: ProfileName,
  v: Record<string, CheckResult>,
  e: ScheduleEvidence,
): Expectation[] {
  const convergence = v.convergence;
  const common = [
    resultHolds("steady-state-before", "steady state before the faults", v["steady-state-before"]),
    effectsSeen(v["fault-effect"], e.spans),
    resultHolds("no-write-lost", "no acknowledged write lost", v.durability),
    noStaleReadOnceQuiet(v["stale-reads"], e.quietAt),
  ];
  const after = resultHolds(
    "steady-state-after",
    "steady state restored after the heals",
    v["steady-state-after"],
  );
  if (profile === "seed")
    return [
      ...common,
      expectation(
        "replicas-end-equal",
        "the replicas end equal (a late catch-up, with the operator's repair, allowed)",
        convergence !== undefined &&
          convergence.valid !== "unknown" &&
          convergence.findings.every((f) => f.kind === "slow-convergence"),
        convergence?.findings.map((f) => f.message).join("; ") ?? "the checker did not run",
      ),
      resultHolds("replication-healthy", "replication healthy after the repair", v["replication-health"]),
      after,
    ];
  return [
    ...common,
    noUnexplainedFailure(v, e.unexplained),
    resultHolds(
      "converged",
      `replicas caught up ≤ ${CONVERGENCE_BOUND_SECONDS} s after the last heal and equal after the last write`,
      convergence,
    ),
    resultHolds("replication-healthy", "replication healthy after heal", v["replication-health"]),
    after,
  ];
}

/**
 * The invariants as a plan's declared expectations: each judged on the run's facts (the spans, when
 * the load ended, the stretches no fault explains) by `scheduleExpectations`, found by its id.
 */
export function scheduleInvariants(profile: ProfileName): ExpectationSpec<ScheduleFacts>[] {
  const judged = (e: Evidence<ScheduleFacts>) =>
    scheduleExpectations(profile, Object.fromEntries(e.results.list.map((r) => [r.checker, r])), {
      spans: e.facts.spans,
      quietAt: e.facts.quietTime,
      unexplained: e.facts.more,
    });
  const ids =
    profile === "seed"
      ? [
          "steady-state-before",
          "every-fault-effect",
          "no-write-lost",
          "no-stale-read-once-quiet",
          "replicas-end-equal",
          "replication-healthy",
          "steady-state-after",
        ]
      : [
          "steady-state-before",
          "every-fault-effect",
          "no-write-lost",
          "no-stale-read-once-quiet",
          "no-unexplained-failure",
          "converged",
          "replication-healthy",
          "steady-state-after",
        ];
  return ids.map((id) => {
    const line = (e: Evidence<ScheduleFacts>) => judged(e).find((x) => x.id === id)!;
    return {
      id,
      description: (e) => line(e).description,
      judge: (e) => {
        const x = line(e);
        return {
          met: x.met,
          ...(x.detail ? { detail: x.detail } : {}),
          ...(x.failed ? { failed: x.failed } : {}),
        };
      },
    };
  });
}

/** What the invariants read of a fault plan's run. */
export type ScheduleFacts = Pick<LoadFacts, "spans" | "quietTime" | "more">;
