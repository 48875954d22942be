import { describe, expect, it } from "vitest";
import { exploredKinds } from "../../faults/fault-kinds.ts";
import { explainedWindows, gaps, nodesTakenOff, type ServerState } from "./outage-windows.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";

const o = { leadMs: 1000, allowanceMs: 2000 };

/** A fault whose inject takes 100 ms and whose heal takes `healMs`, at whole seconds. */
function span(kind: string, target: string | null, from: number, to: number, healMs = 100): FaultSpan {
  return {
    fault: { kind, target },
    name: `${kind} ${target}`,
    injectAt: from * 1000,
    injectedAt: from * 1000 + 100,
    healAt: to * 1000,
    healedAt: to * 1000 + healMs,
  };
}

describe("nodesTakenOff", () => {
  it("names the node a fault takes off HAProxy's path, and none for faults beside it", () => {
    const all = exploredKinds.flatMap((k) =>
      k.targets.map((target) => `${k.id} ${target} -> ${nodesTakenOff({ kind: k.id, target }).join(",")}`),
    );
    expect(all).toEqual([
      "crash-server node1 -> node1",
      "crash-server node2 -> node2",
      "freeze-server node1 -> node1",
      "freeze-server node2 -> node2",
      "kill-service node1-db -> node1",
      "kill-service node1-app -> node1",
      "kill-service node2-db -> node2",
      "kill-service node2-app -> node2",
      "split-replication null -> ",
      "partition control1|control2 -> ",
      "partition control1|node1 -> ",
      "partition control1|node2 -> ",
      "partition control2|node1 -> node1",
      "partition control2|node2 -> node2",
      "partition node1|node2 -> ",
    ]);
  });
});

describe("explainedWindows", () => {
  it("a crash of node1: the failover at the inject, the heal, and the failback when HAProxy sees node1 UP", () => {
    const states: ServerState[] = [
      { server: "node1", state: "UP", time: 0 },
      { server: "node2", state: "UP", time: 0 },
      { server: "node1", state: "DOWN", time: 5_800 },
      { server: "node1", state: "UP", time: 22_000 },
    ];
    expect(explainedWindows([span("crash-server", "node1", 5, 15, 3000)], states, o)).toEqual([
      { from: 4_000, until: 7_100 },
      { from: 14_000, until: 20_000 },
      { from: 21_000, until: 24_000 },
    ]);
  });

  it("faults that never change the serving node explain nothing", () => {
    const spans = [
      span("kill-service", "node2-app", 2, 8),
      span("split-replication", null, 3, 9),
      span("partition", "node1|node2", 10, 14),
      span("freeze-server", "node2", 20, 25),
    ];
    expect(explainedWindows(spans, [], o)).toEqual([]);
  });

  it("a node2 fault while node1 is off explains failures (node2 was serving), not before", () => {
    const spans = [span("kill-service", "node2-app", 0, 20), span("kill-service", "node1-db", 10, 15)];
    // node2 is off from 0 s: nothing changes for clients until node1 goes at 10 s; no node can serve
    // until node1's database is back at 15 s; node2's return at 20 s changes nothing again.
    expect(explainedWindows(spans, [], o)).toEqual([{ from: 9_000, until: 17_100 }]);
  });

  it("no node can serve: the whole time, until the allowance after one is back UP", () => {
    const states: ServerState[] = [
      { server: "node2", state: "UP", time: 0 },
      { server: "node2", state: "DOWN", time: 12_000 },
      { server: "node2", state: "UP", time: 19_000 },
    ];
    const spans = [span("crash-server", "node1", 5, 30), span("crash-server", "node2", 10, 18)];
    // node2 serves from 7.1 s (the failover's allowance) until it is crashed too at 10 s.
    expect(explainedWindows(spans, states, o)).toEqual([
      { from: 4_000, until: 7_100 },
      { from: 9_000, until: 21_000 },
      { from: 29_000, until: 32_100 },
    ]);
  });

  it("a node with two faults on it is back only when both are healed", () => {
    const spans = [
      span("kill-service", "node1-app", 5, 20),
      span("partition", "control2|node1", 10, 30),
      span("kill-service", "node1-db", 25, 28),
    ];
    expect(explainedWindows(spans, [], o)).toEqual([
      { from: 4_000, until: 7_100 },
      { from: 29_000, until: 32_100 },
    ]);
  });
});

describe("gaps", () => {
  it("the parts of the load no window covers", () => {
    const w = [
      { from: 9_000, until: 12_000 },
      { from: 4_000, until: 6_000 },
      { from: 5_000, until: 7_000 },
    ];
    expect(gaps(w, 0, 20_000)).toEqual([
      { from: 0, until: 4_000 },
      { from: 7_000, until: 9_000 },
      { from: 12_000, until: 20_000 },
    ]);
    expect(gaps([], 0, 10)).toEqual([{ from: 0, until: 10 }]);
    expect(gaps([{ from: -1, until: Infinity }], 0, 10)).toEqual([]);
    expect(gaps([{ from: 5, until: 30 }], 0, 10)).toEqual([{ from: 0, until: 5 }]);
  });
});
