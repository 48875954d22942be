import { describe, expect, it } from "vitest";
import { type CheckerSpec, type CheckInput } from "./checker.ts";
import { runCheckers, unwaivedUnknowns } from "./run-checkers.ts";
import { HistoryBuilder } from "./history-builder.ts";

const history = new HistoryBuilder()
  .op("create-list", { title: "t-l0" }, 0, 5, "ok", { id: 1 })
  .fault("inject", 100, "crash node1", { effect: "x" })
  .fault("effect", 150, "crash node1", { detail: "seen" })
  .fault("heal", 200).events;
const observed = {
  tag: "t-",
  time: 300,
  snapshots: { node1: { lists: [{ id: 1, title: "t-l0" }], items: [] }, node2: { lists: [], items: [] } },
  replication: { node1: null, node2: null },
  errors: [],
};

describe("one checker contract", () => {
  it("every checker reads its part of one input; the names tell two of a kind apart", () => {
    const specs: CheckerSpec[] = [
      { id: "durability" },
      { id: "fault-effect" },
      {
        id: "steady-state",
        name: "steady-state-after",
        options: { label: "after", from: 0, until: 50, minOk: 1, replication: false },
      },
    ];
    const v = runCheckers(specs, { history, observed });
    expect(v.map((x) => [x.checker, x.valid])).toEqual([
      ["durability", false],
      ["fault-effect", true],
      ["steady-state-after", true],
    ]);
    expect(v[0]!.findings[0]!.message).toContain("node2: acknowledged list 1");
  });

  it("a checker whose input was not saved is unknown with the reason, and fails the drill unless waived", () => {
    const input: CheckInput = { history };
    const v = runCheckers(
      [
        { id: "convergence", options: { healAt: 200, quietAt: 200, boundSeconds: 5 } },
        { id: "replication-health" },
      ],
      input,
    );
    expect(v.map((x) => x.valid)).toEqual(["unknown", "unknown"]);
    expect(v[0]!.findings[0]!.message).toBe("needs convergence.json, which this run did not save");
    expect(unwaivedUnknowns(v).map((x) => x.checker)).toEqual(["convergence", "replication-health"]);
    expect(
      unwaivedUnknowns(v, [{ checker: "convergence", reason: "planted" }]).map((x) => x.checker),
    ).toEqual(["replication-health"]);
  });

  it("a checker that throws is unknown (a node that could not be read at the end)", () => {
    const v = runCheckers([{ id: "durability" }], {
      history,
      observed: {
        ...observed,
        snapshots: { node1: observed.snapshots.node1 },
        errors: ["node2 rows: ECONNREFUSED"],
      },
    });
    expect(v[0]).toMatchObject({ valid: "unknown", findings: [{ kind: "checker-crashed" }] });
    expect(v[0]!.findings[0]!.message).toContain("ECONNREFUSED");
  });

  it("replication health at a named moment reads the states saved for it", () => {
    const stopped = {
      ioRunning: "Yes",
      sqlRunning: "No",
      lastIoError: "",
      lastSqlErrno: 1062,
      lastSqlError: "Duplicate entry",
      secondsBehindMaster: null,
      connectRetry: 1,
      usingGtid: "Slave_Pos",
    };
    const v = runCheckers([{ id: "replication-health", options: { moment: "conflict" } }], {
      history,
      observed: { ...observed, moments: { conflict: { node1: stopped, node2: stopped } } },
    });
    expect(v[0]!.findings.map((f) => f.kind)).toEqual(["replication-conflict", "replication-conflict"]);
  });
});
