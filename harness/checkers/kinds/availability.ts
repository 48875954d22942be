import { z } from "zod";
import { defineChecker } from "../checker.ts";
import { faultEvents, operations, type HistoryEvent, type Operation } from "../../history/history.ts";
import { percentile } from "../../util/percentile.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";

/** What a drill bounds of the outage (all optional: without bounds, the figures are only measured). */
export const AvailabilityOptions = z.object({
  /** The node that must take the traffic during the fault (node2, the backup). */
  failoverNode: z.string().optional(),
  /**
   * Longest acceptable outage: from the fault to the end of its error window — the last request
   * begun during the fault that failed or timed out — with `closeAfter` successes on
   * `failoverNode` after it. A request hanging on the dead node counts until it gives up.
   */
  failoverSeconds: z.number().optional(),
  /** Longest acceptable time from the fault to the first success on `failoverNode`. */
  firstSuccessSeconds: z.number().optional(),
  /** Longest acceptable error window anywhere from the fault on (failback included). */
  maxErrorWindowSeconds: z.number().optional(),
  /** Node that should answer again after the heal (failback). */
  primaryNode: z.string().optional(),
  /** Consecutive successes that prove traffic recovered (default 5). */
  closeAfter: z.number().optional(),
  /** Judge only the operations begun in this window (history ms), e.g. a load drill's hold. */
  window: z.object({ from: z.number(), until: z.number().optional() }).optional(),
  /**
   * Count an HTTP 404 as an answer, not a failure: the node served, only without data it had not yet
   * got by replication (a list created on the other node while they were split). The stale-reads
   * checker judges that; a write truly lost shows in durability. Used where several faults overlap.
   */
  notFoundIsAnswer: z.boolean().optional(),
});
export type AvailabilityBounds = z.infer<typeof AvailabilityOptions>;

interface ErrorWindow {
  /** When the first failed request of the run began (history ms). */
  start: number;
  /** When the last one ended. */
  end: number;
  count: number;
}

type Outcome = { time: number; invokedAt: number; ok: boolean; node?: string };

/** Completions and dropped arrivals in completion order: a drop is a request that failed at once. */
function outcomes(
  history: readonly HistoryEvent[],
  ops: readonly Operation[],
  notFoundIsAnswer = false,
): Outcome[] {
  const out: Outcome[] = [];
  for (const o of ops) {
    if (!o.completion) continue;
    const c = o.completion;
    out.push({
      time: c.time,
      invokedAt: o.invoke.time,
      ok: c.type === "ok" || (notFoundIsAnswer && c.type === "fail" && c.error === "HTTP 404"),
      node: o.completion.node,
    });
  }
  for (const e of history) if (e.type === "drop") out.push({ time: e.time, invokedAt: e.time, ok: false });
  return out.sort((a, b) => a.time - b.time);
}

/** Runs of failures in completion order; a window spans from its first request's start to its last's end. */
function errorWindows(all: readonly Outcome[]): ErrorWindow[] {
  const windows: ErrorWindow[] = [];
  let open: ErrorWindow | undefined;
  for (const c of all) {
    if (c.ok) {
      if (open) windows.push(open);
      open = undefined;
    } else {
      open = open
        ? { start: Math.min(open.start, c.invokedAt), end: c.time, count: open.count + 1 }
        : { start: c.invokedAt, end: c.time, count: 1 };
    }
  }
  if (open) windows.push(open);
  return windows;
}

const secs = (ms: number) => Math.round(ms) / 1000;

/**
 * Outage and recovery from the history alone: the outage window of the fault (failover), the first
 * success on the backup, failback, error windows, failed requests (from the fault on; dropped
 * arrivals count), and p50/p99 before, during and after the fault.
 */
export function checkAvailability(
  history: readonly HistoryEvent[],
  bounds: AvailabilityBounds = {},
): CheckResult {
  const inWindow = (t: number) =>
    !bounds.window ||
    (t >= bounds.window.from && (bounds.window.until === undefined || t < bounds.window.until));
  const ops = operations(history).filter((o) => inWindow(o.invoke.time));
  history = history.filter((e) => e.type !== "drop" || inWindow(e.time));
  const faults = faultEvents(history).filter((f) => inWindow(f.time));
  const inject = faults.find((f) => f.phase === "inject")?.time;
  const heal = faults.filter((f) => f.phase === "heal").at(-1)?.time;
  const findings: Finding[] = [];
  const all = outcomes(history, ops, bounds.notFoundIsAnswer);
  const fromFault = inject === undefined ? all : all.filter((c) => c.invokedAt >= inject);
  const windows = errorWindows(fromFault);
  const failedBefore = inject === undefined ? 0 : all.filter((c) => c.invokedAt < inject && !c.ok).length;

  const phase = (t: number) =>
    inject === undefined || t < inject ? "before" : heal === undefined || t < heal ? "during" : "after";
  const latencies: Record<string, number[]> = { before: [], during: [], after: [] };
  for (const o of ops)
    if (o.completion?.type === "ok") latencies[phase(o.invoke.time)]!.push(o.completion.latencyMs);
  for (const l of Object.values(latencies)) l.sort((a, b) => a - b);

  let failoverSeconds: number | null = null;
  let firstSuccessSeconds: number | null = null;
  if (inject !== undefined && bounds.failoverNode) {
    const node = bounds.failoverNode;
    const closeAfter = bounds.closeAfter ?? 5;
    // Requests begun during the fault, in completion order; those begun after the heal belong to failback.
    const during = all.filter((c) => c.invokedAt >= inject && (heal === undefined || c.invokedAt < heal));
    const first = during.find((c) => c.ok && c.node === node);
    firstSuccessSeconds = first ? secs(first.time - inject) : null;
    const lastFailure = [...during].reverse().find((c) => !c.ok);
    const after = lastFailure ? during.filter((c) => c.time > lastFailure.time) : during;
    // A failure that ended after the heal (a request hanging on the dead node) is late enough to
    // speak for itself; one that ended during the fault must be followed by settled traffic.
    const recovered =
      after.filter((c) => c.ok && c.node === node).length >= closeAfter ||
      (lastFailure !== undefined && heal !== undefined && lastFailure.time >= heal);
    if (!first) {
      findings.push({
        kind: "no-failover",
        message: `no request succeeded on ${node} after the fault`,
      });
    } else if (!recovered) {
      findings.push({
        kind: "no-failover",
        message: `traffic never settled on ${node} during the fault: fewer than ${closeAfter} successes there after the last failure${lastFailure ? ` (at ${secs(lastFailure.time - inject)} s)` : ""}`,
      });
    } else {
      failoverSeconds = lastFailure ? secs(Math.max(0, lastFailure.time - inject)) : 0;
    }
    const over = (seconds: number | null, bound: number | undefined, finding: (s: number) => Finding) => {
      if (seconds !== null && bound !== undefined && seconds > bound) findings.push(finding(seconds));
    };
    over(failoverSeconds, bounds.failoverSeconds, (s) => ({
      kind: "slow-failover",
      message: `the outage lasted ${s.toFixed(2)} s from the fault to the last failed request, over ${bounds.failoverSeconds} s`,
      evidence: { lastFailureAt: lastFailure?.time, inject },
    }));
    over(firstSuccessSeconds, bounds.firstSuccessSeconds, (s) => ({
      kind: "slow-first-success",
      message: `the first success on ${node} came ${s.toFixed(2)} s after the fault, over ${bounds.firstSuccessSeconds} s`,
    }));
  }
  let failbackSeconds: number | null = null;
  if (heal !== undefined && bounds.primaryNode) {
    const first = all.find((c) => c.time >= heal && c.ok && c.node === bounds.primaryNode);
    failbackSeconds = first ? secs(first.time - heal) : null;
  }
  const longest = windows.reduce((m, w) => Math.max(m, w.end - w.start), 0);
  if (bounds.maxErrorWindowSeconds !== undefined && longest / 1000 > bounds.maxErrorWindowSeconds) {
    const w = windows.find((x) => x.end - x.start === longest)!;
    findings.push({
      kind: "long-error-window",
      message: `${w.count} request(s) failed in a row over ${(longest / 1000).toFixed(2)} s, over ${bounds.maxErrorWindowSeconds} s`,
      evidence: w,
    });
  }
  return {
    checker: "availability",
    valid: findings.length === 0,
    findings,
    figures: {
      requests: all.length,
      requestsFailed: fromFault.filter((c) => !c.ok).length,
      requestsFailedBeforeFault: failedBefore,
      dropped: history.filter((e) => e.type === "drop").length,
      errorWindows: windows.length,
      longestErrorWindowSeconds: secs(longest),
      failoverSeconds,
      firstSuccessSeconds,
      failbackSeconds,
      p50BeforeMs: percentile(latencies.before!, 50),
      p99BeforeMs: percentile(latencies.before!, 99),
      p50DuringMs: percentile(latencies.during!, 50),
      p99DuringMs: percentile(latencies.during!, 99),
      p50AfterMs: percentile(latencies.after!, 50),
      p99AfterMs: percentile(latencies.after!, 99),
    },
  };
}

export default defineChecker({
  id: "availability",
  description:
    "outage and recovery from the history alone: failover, first success on the backup, failback, error windows, failed requests, latency before, during and after the fault",
  options: AvailabilityOptions,
  needs: [],
  figures: [
    "requests",
    "requestsFailed",
    "requestsFailedBeforeFault",
    "dropped",
    "errorWindows",
    "longestErrorWindowSeconds",
    "failoverSeconds",
    "firstSuccessSeconds",
    "failbackSeconds",
    "p50BeforeMs",
    "p99BeforeMs",
    "p50DuringMs",
    "p99DuringMs",
    "p50AfterMs",
    "p99AfterMs",
  ],
  keyFigures: [
    "failoverSeconds",
    "firstSuccessSeconds",
    "failbackSeconds",
    "longestErrorWindowSeconds",
    "requestsFailed",
  ],
  check: (input, options) => checkAvailability(input.history, options),
});
