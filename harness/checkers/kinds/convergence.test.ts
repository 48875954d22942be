import { describe, expect, it } from "vitest";
import { checkConvergence } from "./convergence.ts";
import type { ConvergenceSample, NodeState } from "../../store/convergence-samples.ts";
import { HistoryBuilder } from "../history-builder.ts";
import { decodeSamples, encodeSamples } from "../../store/convergence-samples.ts";

const state = (items: number[], checksum = items.length): NodeState => ({
  gtidCurrentPos: "0-1-5",
  checksums: { "todo.todo_list": 1, "todo.todo_item": checksum },
  rows: { lists: [1], items },
});
const sample = (time: number, node1: number[], node2: number[] | undefined): ConvergenceSample => ({
  time,
  node1: state(node1),
  node2: node2 && state(node2),
});
// List 1 and items 2, 4 acknowledged before the heal at 1000; item 6 acknowledged at 1500, after it.
const history = () =>
  new HistoryBuilder()
    .op("create-list", { title: "t-l" }, 0, 10, "ok", { id: 1 })
    .op("add-item", { listId: 1, text: "t-a" }, 100, 110, "ok", { id: 2 })
    .op("add-item", { listId: 1, text: "t-b" }, 200, 210, "ok", { id: 4 }, "node2")
    .op("add-item", { listId: 1, text: "t-c" }, 1490, 1500, "ok", { id: 6 }).events;
const opts = { healAt: 1000, quietAt: 1600, boundSeconds: 10, graceMs: 500, settleSamples: 2 };

describe("checkConvergence", () => {
  it("times the catch-up from the heal while writes go on, and equality after the last write", () => {
    const v = checkConvergence(
      history(),
      [
        sample(900, [2], [2]), // before the heal: does not count
        sample(1000, [2], [2, 4]), // node1 lacks item 4 (from node2)
        sample(2500, [2, 4, 6], [2, 4]), // node2 lacks item 6, acknowledged over the grace ago
        sample(2750, [2, 4, 6], [2, 4, 6]),
        sample(3000, [2, 4, 6], [2, 4, 6]),
      ],
      opts,
    );
    expect(v.findings).toEqual([]);
    expect(v.figures).toMatchObject({ secondsToConverge: 1.75, secondsToEqualAfterQuiet: 1.15 });
  });

  it("needs the state to last: caught up before the next write arrived, then cut off, is not convergence", () => {
    const v = checkConvergence(
      history(),
      [
        sample(1000, [2, 4], [2, 4]),
        sample(1250, [2, 4], [2, 4]),
        sample(1500, [2, 4], [2, 4]), // caught up for three samples, before item 6 counts
        sample(2000, [2, 4, 6], [2, 4]), // item 6 has not reached node2
        sample(2250, [2, 4, 6], [2, 4, 6]),
        sample(2500, [2, 4, 6], [2, 4, 6]),
      ],
      opts,
    );
    expect(v.figures.secondsToConverge).toBe(1.25);
  });

  it("needs `settleSamples` samples after the last time it did not hold", () => {
    const v = checkConvergence(
      history(),
      [sample(2000, [2, 4, 6], [2, 4]), sample(2250, [2, 4, 6], [2, 4, 6])],
      opts,
    );
    expect(v.figures.secondsToConverge).toBeNull();
  });

  it("catches a planted write that never reaches node2: diverged, with the missing item named", () => {
    const samples = [2000, 2250, 2500].map((t) => sample(t, [2, 4, 6], [2, 4]));
    const v = checkConvergence(history(), samples, opts);
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => f.kind)).toEqual(["diverged", "diverged"]);
    expect(v.findings[0]!.message).toContain("node2 lacks item 6");
    expect(v.figures.secondsToConverge).toBeNull();
  });

  it("flags a catch-up slower than the bound (the seed's 60 s reconnect)", () => {
    const late = [30_000, 30_250].map((t) => sample(t, [2, 4, 6], [2, 4, 6]));
    const v = checkConvergence(history(), late, opts);
    expect(v.findings.map((f) => f.kind)).toEqual(["slow-convergence"]);
    expect(v.figures.secondsToConverge).toBe(29);
  });

  it("says a catch-up came only with the operator's repair, past the bound", () => {
    const late = [14_000, 14_250].map((t) => sample(t, [2, 4, 6], [2, 4, 6]));
    const before = sample(13_000, [2, 4, 6], [2, 4]);
    const v = checkConvergence(history(), [before, ...late], { ...opts, repairAt: 13_500 });
    expect(v.findings.map((f) => f.kind)).toEqual(["slow-convergence"]);
    expect(v.findings[0]!.message).toBe(
      "not caught up within the bound of 10 s after the heal; caught up 13.0 s after it only once the operator restarted the replicas' IO threads (at 12.5 s)",
    );
  });

  it("says unreadable (unknown), never diverged, when a node cannot be read at the end", () => {
    const v = checkConvergence(history(), [sample(2000, [2, 4, 6], undefined)], opts);
    expect(v.valid).toBe("unknown");
    expect(v.findings.map((f) => f.kind)).toEqual(["unreadable"]);
  });

  it("catches equal rows but different table contents after the last write (a changed value)", () => {
    const a = state([2, 4, 6], 7);
    const b = state([2, 4, 6], 9);
    const v = checkConvergence(
      history(),
      [2000, 2250].map((time) => ({ time, node1: a, node2: b })),
      opts,
    );
    expect(v.findings.map((f) => f.message)).toEqual([
      "the replicas still differ after the last write: todo.todo_item",
    ]);
  });

  it("saves samples compactly and reads them back exactly", () => {
    const samples = [
      sample(1000, [2], [2, 4]),
      sample(1250, [2, 4], undefined),
      sample(1500, [4, 6], [2, 4, 6]),
    ];
    const encoded = encodeSamples(samples);
    expect(encoded[2]!.node1!.rows!.items).toEqual({ add: [6], remove: [2] });
    expect(decodeSamples(JSON.parse(JSON.stringify(encoded)))).toEqual(samples);
  });
});
