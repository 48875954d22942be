import { kindOf } from "../../faults/fault-kinds.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";
import type { ScheduledFault } from "../../faults/schedule.ts";
import { nodeNames, type NodeName } from "../../topology/topology.ts";

/** A stretch of the history, [from, until) in ms. */
export interface Window {
  from: number;
  until: number;
}

/**
 * The nodes a fault takes off the request path (HAProxy → a node's app → that node's database),
 * as its kind says: the node crashed, frozen, or cut from HAProxy, or its app or database killed.
 */
export function nodesTakenOff(f: Pick<ScheduledFault, "kind" | "target">): NodeName[] {
  return kindOf(f.kind).takesOff(f.target);
}

/** HAProxy's view of a backend server, as the state sampler writes it into the history. */
export interface ServerState {
  server: string;
  state: string;
  time: number;
}

export interface WindowOptions {
  /** A request begun this long before a fault may be in flight on the node it takes away. */
  leadMs: number;
  /** How long after a change of serving node failures are the failover's (the profile's bound). */
  allowanceMs: number;
}

/**
 * The stretches in which the active faults explain failed requests. HAProxy sends everything to
 * node1 and to node2 only while node1 is off the path (node2 is the backup), so a failure is
 * explained only where the node that should serve changes or none can:
 *
 * - each inject or heal that changes the serving node: from `leadMs` before it began to
 *   `allowanceMs` after it returned (a failover, a failback);
 * - and, after a heal, `allowanceMs` around the moment HAProxy first sees the node that should
 *   serve UP again (the failback happens then, not when the containers started);
 * - the whole time no node can serve (both off at once), to `allowanceMs` after one is back.
 *
 * Faults that never change the serving node (node2's app killed while node1 serves, a partition
 * between the nodes, split replication) explain nothing: a failure under them alone is a finding.
 * Overlapping windows, from several faults, are merged.
 */
export function explainedWindows(
  spans: readonly FaultSpan[],
  states: readonly ServerState[],
  o: WindowOptions,
): Window[] {
  const events = spans
    .flatMap((s) => {
      const nodes = nodesTakenOff(s.fault);
      if (nodes.length === 0) return [];
      return [
        { at: s.injectAt, settled: s.injectedAt, nodes, delta: 1 },
        { at: s.healAt, settled: s.healedAt, nodes, delta: -1 },
      ];
    })
    .sort((a, b) => a.at - b.at);
  const off = new Map<NodeName, number>();
  const serving = () => nodeNames.find((n) => !(off.get(n)! > 0)) ?? null;
  const windows: Window[] = [];
  let outageFrom: number | undefined;
  for (const e of events) {
    const before = serving();
    for (const n of e.nodes) off.set(n, (off.get(n) ?? 0) + e.delta);
    const after = serving();
    if (before === after) continue;
    windows.push({ from: e.at - o.leadMs, until: e.settled + o.allowanceMs });
    const up = after === null ? undefined : backUpAt(states, after, e.at);
    if (up !== undefined) windows.push({ from: up - o.leadMs, until: up + o.allowanceMs });
    if (after === null) outageFrom ??= e.at - o.leadMs;
    else if (before === null && outageFrom !== undefined) {
      windows.push({ from: outageFrom, until: Math.max(e.settled, up ?? 0) + o.allowanceMs });
      outageFrom = undefined;
    }
  }
  return merge(windows);
}

/**
 * When HAProxy first saw `server` UP after `at`, if it was not UP at `at` (a node coming back);
 * undefined when it already was (a failover to the waiting backup) or was never seen UP again.
 */
function backUpAt(states: readonly ServerState[], server: string, at: number): number | undefined {
  const own = states.filter((s) => s.server === server);
  const then = own.filter((s) => s.time <= at).at(-1);
  if (then?.state === "UP") return undefined;
  return own.find((s) => s.time > at && s.state === "UP")?.time;
}

function merge(windows: readonly Window[]): Window[] {
  const out: Window[] = [];
  for (const w of [...windows].sort((a, b) => a.from - b.from)) {
    const last = out.at(-1);
    if (last && w.from <= last.until) last.until = Math.max(last.until, w.until);
    else out.push({ ...w });
  }
  return out;
}

/** The parts of [from, until) that no window covers: where no fault explains a failure. */
export function gaps(windows: readonly Window[], from: number, until: number): Window[] {
  const out: Window[] = [];
  let t = from;
  for (const w of merge(windows)) {
    if (w.until <= t) continue;
    if (w.from >= until) break;
    if (w.from > t) out.push({ from: t, until: w.from });
    t = Math.max(t, w.until);
  }
  if (t < until) out.push({ from: t, until });
  return out;
}
