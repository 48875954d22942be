import { z } from "zod";
import { defineChecker } from "../checker.ts";
import { lastReplicationStates, operations, type HistoryEvent } from "../../history/history.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";
import { pipelineAlive } from "../../alerts/pipeline-alive.ts";

/**
 * What "the stack is fine" means for a drill (Chaos Toolkit's steady-state hypothesis), checked on a
 * window of the history before the fault — the fault is never injected when it does not hold — and
 * again after the heal.
 */
export const SteadyStateOptions = z.object({
  /** "before the fault" or "after the heal", for the messages. */
  label: z.string(),
  /** The window, in history ms: operations begun in it are judged. */
  from: z.number(),
  until: z.number(),
  /** Fewest successful operations in the window: a stack that served nothing is not steady. */
  minOk: z.number(),
  /** The node that must serve every success (node1 through HAProxy; node2 is only the backup). */
  primary: z.string().optional(),
  /** Both replicas' IO and SQL threads running at the window's end (sampled into the history). */
  replication: z.boolean(),
  /**
   * The alert pipeline proven alive (a Watchdog notification no older than `maxGapSeconds` at the
   * window's end, Prometheus and the receiver reachable throughout): a drill whose alerts must stay
   * quiet proves nothing with a dead pipeline.
   */
  alertPipeline: z.object({ maxGapSeconds: z.number() }).optional(),
});
export type SteadyStateSpec = z.infer<typeof SteadyStateOptions>;

/**
 * The steady state over one window: every operation begun in it succeeded, at least `minOk` did,
 * all on the primary, no arrival was dropped, and replication ran both ways at its end. Unknown
 * (never a pass) when replication was required and never sampled.
 */
export function checkSteadyState(history: readonly HistoryEvent[], spec: SteadyStateSpec): CheckResult {
  const inWindow = (t: number) => t >= spec.from && t < spec.until;
  // Operations still in flight at the window's end are judged by later checks (availability): at
  // run time their outcome is not known yet, and a re-run must judge exactly what the run judged.
  const ops = operations(history).filter(
    (o) => inWindow(o.invoke.time) && o.completion !== undefined && o.completion.time <= spec.until,
  );
  const ok = ops.filter((o) => o.completion?.type === "ok");
  const failed = ops.filter((o) => o.completion!.type !== "ok");
  const elsewhere = spec.primary ? ok.filter((o) => o.completion!.node !== spec.primary) : [];
  const dropped = history.filter((e) => e.type === "drop" && inWindow(e.time)).length;
  const findings: Finding[] = [];
  const seconds = ((spec.until - spec.from) / 1000).toFixed(1);
  if (ok.length < spec.minOk)
    findings.push({
      kind: "too-few-successes",
      message: `${ok.length} successful operation(s) in ${seconds} s ${spec.label}, fewer than ${spec.minOk}`,
    });
  if (failed.length > 0) {
    const first = failed[0]!.completion;
    findings.push({
      kind: "failed-requests",
      message: `${failed.length} of ${ops.length} operation(s) ${spec.label} did not succeed (first: ${first && "error" in first ? first.error : "?"})`,
      evidence: failed.slice(0, 5).map((o) => o.completion ?? o.invoke),
    });
  }
  if (dropped > 0)
    findings.push({ kind: "dropped", message: `${dropped} arrival(s) ${spec.label} could not even be sent` });
  if (elsewhere.length > 0) {
    const nodes = [...new Set(elsewhere.map((o) => o.completion!.node ?? "no node"))].join(", ");
    findings.push({
      kind: "not-on-primary",
      message: `${elsewhere.length} of ${ok.length} success(es) ${spec.label} were served by ${nodes}, not ${spec.primary}`,
    });
  }
  let unknown = false;
  if (spec.replication) {
    for (const node of ["node1", "node2"]) {
      const s = lastReplicationStates(history, spec.until).get(node);
      if (!s) {
        unknown = true;
        findings.push({
          kind: "replication-not-sampled",
          message: `${node}'s replication state was never sampled ${spec.label}`,
        });
      } else if (s.io !== "Yes" || !s.sql) {
        findings.push({
          kind: "replication-not-running",
          message: `${node}'s replication ${spec.label}: IO ${s.io}, SQL ${s.sql ? "Yes" : "No"}${s.lastErrno ? ` (error ${s.lastErrno}: ${s.lastError ?? ""})` : ""}`,
        });
      }
    }
  }
  if (spec.alertPipeline) {
    const gap = spec.alertPipeline.maxGapSeconds;
    const p = pipelineAlive(history, { from: spec.from, until: spec.until, maxGapSeconds: gap });
    // A window shorter than the bound may hold no notification of its own; a recent one still counts.
    const recent =
      p.waitable && p.lastNotificationAt !== null && p.lastNotificationAt >= spec.until - gap * 1000;
    // A window still shorter than the bound with no notification yet is only "not yet": the run
    // waits for one when nothing else is wrong; when something else is, that is the finding.
    const onlyNotYet = p.waitable && findings.some((f) => f.kind !== "replication-not-sampled");
    if (!p.alive && !recent && !onlyNotYet)
      findings.push({
        kind: "alert-pipeline-dead",
        message: `alert pipeline not proven alive ${spec.label}: ${p.evidence}`,
      });
  }
  const real = findings.filter((f) => f.kind !== "replication-not-sampled");
  return {
    checker: "steady-state",
    valid: real.length > 0 ? false : unknown ? "unknown" : true,
    findings,
    figures: { operations: ops.length, ok: ok.length, failed: failed.length, dropped },
  };
}

export default defineChecker({
  id: "steady-state",
  description:
    "the stack is fine over a window (before the fault, after the heal): every operation succeeded on the primary, enough of them, replication running, the alert pipeline alive",
  options: SteadyStateOptions,
  needs: [],
  figures: ["operations", "ok", "failed", "dropped"],
  keyFigures: [],
  check: (input, options) => checkSteadyState(input.history, options),
});
