import { describe, expect, it } from "vitest";
import { checkConvergence, type NodeState } from "./convergence.ts";

const state = (list: number, item: number, gtid = "0-1-5"): NodeState => ({
  gtidCurrentPos: gtid,
  checksums: { "todo.todo_list": list, "todo.todo_item": item },
});

describe("checkConvergence", () => {
  it("measures the time from heal to equal checksums", () => {
    const v = checkConvergence(
      [
        { time: 900, node1: state(1, 1), node2: state(1, 1) }, // before the heal: does not count
        { time: 1000, node1: state(2, 2), node2: state(1, 1) },
        { time: 3500, node1: state(2, 2), node2: state(2, 2) },
      ],
      1000,
      10,
    );
    expect(v).toMatchObject({ valid: true, figures: { secondsToConverge: 2.5, gtidEqual: 1 } });
  });

  it("catches a planted divergence and names the table", () => {
    const v = checkConvergence([{ time: 2000, node1: state(2, 7), node2: state(2, 9) }], 1000, 5);
    expect(v.valid).toBe(false);
    expect(v.findings[0]!.message).toContain("todo.todo_item");
    expect(v.figures.secondsToConverge).toBeNull();
  });

  it("flags convergence slower than the bound (the seed's 60 s retry)", () => {
    const v = checkConvergence([{ time: 62_000, node1: state(1, 1), node2: state(1, 1) }], 1000, 10);
    expect(v.valid).toBe(false);
    expect(v.findings[0]!.kind).toBe("slow-convergence");
    expect(v.figures.secondsToConverge).toBe(61);
  });

  it("does not call an unreadable table equal", () => {
    const unreadable: NodeState = { gtidCurrentPos: "", checksums: { "todo.todo_list": null } };
    expect(checkConvergence([{ time: 2000, node1: unreadable, node2: unreadable }], 1000, 5).valid).toBe(
      false,
    );
  });
});
