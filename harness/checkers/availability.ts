import { faultEvents, operations, type HistoryEvent } from "../history/history.ts";
import type { Finding, Verdict } from "./verdict.ts";

export interface AvailabilityBounds {
  /** Longest acceptable time from the fault to the first success served by `failoverNode`. */
  failoverSeconds?: number;
  failoverNode?: string;
  /** Node that should answer again after the heal (failback). */
  primaryNode?: string;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Error windows, failover and failback times, failed requests, and p50/p99 latency before, during
 * and after the fault — from the history alone.
 */
export function checkAvailability(
  history: readonly HistoryEvent[],
  bounds: AvailabilityBounds = {},
): Verdict {
  const ops = operations(history).filter((o) => o.completion);
  const faults = faultEvents(history);
  const inject = faults.find((f) => f.phase === "inject")?.time;
  const heal = faults.find((f) => f.phase === "heal")?.time;
  const findings: Finding[] = [];

  // Error windows: runs of completions (in completion order) that were not ok.
  const completions = ops.map((o) => o.completion!).sort((a, b) => a.time - b.time);
  const windows: { start: number; end: number; count: number }[] = [];
  let open: { start: number; end: number; count: number } | undefined;
  for (const c of completions) {
    if (c.type === "ok") {
      if (open) windows.push(open);
      open = undefined;
    } else {
      open = open
        ? { ...open, end: c.time, count: open.count + 1 }
        : { start: c.time, end: c.time, count: 1 };
    }
  }
  if (open) windows.push(open);

  const failed = completions.filter((c) => c.type !== "ok").length;
  const phase = (t: number) =>
    inject === undefined || t < inject ? "before" : heal === undefined || t < heal ? "during" : "after";
  const latencies: Record<string, number[]> = { before: [], during: [], after: [] };
  for (const o of ops)
    if (o.completion!.type === "ok") latencies[phase(o.invoke.time)]!.push(o.completion!.latencyMs);
  for (const l of Object.values(latencies)) l.sort((a, b) => a - b);

  let failoverSeconds: number | null = null;
  if (inject !== undefined && bounds.failoverNode) {
    const first = completions.find(
      (c) => c.time >= inject && c.type === "ok" && c.node === bounds.failoverNode,
    );
    failoverSeconds = first ? (first.time - inject) / 1000 : null;
    if (failoverSeconds === null)
      findings.push({
        kind: "no-failover",
        message: `no request succeeded on ${bounds.failoverNode} after the fault`,
      });
    else if (bounds.failoverSeconds !== undefined && failoverSeconds > bounds.failoverSeconds) {
      findings.push({
        kind: "slow-failover",
        message: `failover took ${failoverSeconds.toFixed(2)} s, over ${bounds.failoverSeconds} s`,
      });
    }
  }
  let failbackSeconds: number | null = null;
  if (heal !== undefined && bounds.primaryNode) {
    const first = completions.find((c) => c.time >= heal && c.type === "ok" && c.node === bounds.primaryNode);
    failbackSeconds = first ? (first.time - heal) / 1000 : null;
  }
  const longest = windows.reduce((m, w) => Math.max(m, w.end - w.start), 0);
  return {
    checker: "availability",
    valid: findings.length === 0,
    findings,
    figures: {
      requests: completions.length,
      requestsFailed: failed,
      errorWindows: windows.length,
      longestErrorWindowSeconds: windows.length ? longest / 1000 : 0,
      failoverSeconds,
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
