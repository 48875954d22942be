// Reading a StateSampler's history back (pure; for drills and checkers).
import type { HistoryEvent, ReplicationStateEvent } from "../history/history.ts";

type ServerStateEvent = Extract<HistoryEvent, { type: "server-state" }>;

/** Events of one lane, in time order (stable: of two at one time, the later appended counts as later). */
function lane<E extends HistoryEvent>(
  history: readonly HistoryEvent[],
  pick: (e: HistoryEvent) => e is E,
): E[] {
  return history
    .map((e, i) => ({ e, i }))
    .filter((x): x is { e: E; i: number } => pick(x.e))
    .sort((a, b) => a.e.time - b.e.time || a.i - b.i)
    .map((x) => x.e);
}

/** The last event of a time-ordered lane at or before `time`. */
function lastAt<E extends HistoryEvent>(events: readonly E[], time: number): E | undefined {
  let found: E | undefined;
  for (const e of events) {
    if (e.time > time) break;
    found = e;
  }
  return found;
}

const serverLane = (history: readonly HistoryEvent[], server: string) =>
  lane(history, (e): e is ServerStateEvent => e.type === "server-state" && e.server === server);

const replicationLane = (history: readonly HistoryEvent[], node: string) =>
  lane(history, (e): e is ReplicationStateEvent => e.type === "replication-state" && e.node === node);

/** HAProxy's last sampled state of `server` at `time` (history ms), or undefined before the first sample. */
export function serverStateAt(
  history: readonly HistoryEvent[],
  server: string,
  time: number,
): string | undefined {
  return lastAt(serverLane(history, server), time)?.state;
}

/** The last sampled replication state of `node` at `time`, or undefined before the first sample. */
export function replicationStateAt(
  history: readonly HistoryEvent[],
  node: string,
  time: number,
): ReplicationStateEvent | undefined {
  return lastAt(replicationLane(history, node), time);
}

const running = (s: ReplicationStateEvent | undefined) => s?.io === "Yes" && s.sql;

/** Both threads running on every node at `time`, as last sampled (false when a node has no sample yet). */
export function replicationRunningBoth(
  history: readonly HistoryEvent[],
  time: number,
  nodes: readonly string[] = ["node1", "node2"],
): boolean {
  return nodes.every((n) => running(replicationStateAt(history, n, time)));
}

/**
 * The first time at or after `from` that HAProxy had `server` in `state`: `from` itself when it
 * already was, else the sample that changed it; undefined when it never was (e.g. node1 DOWN after
 * an inject, or UP again after the heal).
 */
export function whenServerState(
  history: readonly HistoryEvent[],
  server: string,
  state: string,
  from: number,
): number | undefined {
  const events = serverLane(history, server);
  if (lastAt(events, from)?.state === state) return from;
  return events.find((e) => e.time > from && e.state === state)?.time;
}

/** The first time at or after `from` that both threads ran on every node (e.g. replication back after a heal). */
export function whenReplicationRunningBoth(
  history: readonly HistoryEvent[],
  from: number,
  nodes: readonly string[] = ["node1", "node2"],
): number | undefined {
  if (replicationRunningBoth(history, from, nodes)) return from;
  const times = nodes
    .flatMap((n) => replicationLane(history, n))
    .map((e) => e.time)
    .filter((t) => t > from)
    .sort((a, b) => a - b);
  return times.find((t) => replicationRunningBoth(history, t, nodes));
}
