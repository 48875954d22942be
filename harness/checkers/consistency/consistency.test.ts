import { describe, expect, it } from "vitest";
import { analyseConsistency } from "./check-consistency.ts";
import { describeModels, modelVerdict } from "./models.ts";
import { items, PlantedHistory } from "./planted-history.ts";
import { simulatedHistory } from "./simulated-history.ts";
import type { AnomalyKind } from "./anomalies.ts";
import type { NodeSnapshots } from "../../store/observed.ts";
import type { OpOk } from "../../history/history.ts";

const kinds = (h: PlantedHistory, snapshots?: Partial<NodeSnapshots>) =>
  Object.keys(analyseConsistency(h.events, snapshots).counts).sort();

/** Two items in list 1, each edited, everything read back: nothing to find. */
function clean(): PlantedHistory {
  return new PlantedHistory()
    .add(0, 1, "x1", 1)
    .add(0, 1, "x3", 3)
    .readList(1, 1, [1, 3])
    .write(1, 1, "w1", true)
    .readItem(0, 1, "w1", true)
    .txn(2, [
      { f: "r", listId: 1, items: items(1, 3) },
      { f: "r", listId: 2, items: [] },
      { f: "append", listId: 1, text: "x5", id: 5 },
      { f: "append", listId: 2, text: "x7", id: 7 },
    ])
    .readList(3, 1, [1, 3, 5], { final: true })
    .readList(3, 2, [7], { final: true })
    .readItem(3, 1, "w1", true, { final: true });
}

describe("the consistency checker, on planted histories", () => {
  it("finds nothing in a history every model explains, and says it is strict serializable", () => {
    const a = analyseConsistency(clean().events);
    expect(a.counts).toEqual({});
    expect(a.models.strongest).toEqual(["strict-serializable"]);
    expect(a.models.ruledOut).toEqual([]);
    expect(a.size).toMatchObject({ operations: 9, lists: 2, transactions: 1 });
  });

  const cases: [AnomalyKind, () => PlantedHistory, Partial<NodeSnapshots>?][] = [
    [
      "lost-append",
      () => new PlantedHistory().add(0, 1, "x1", 1).add(0, 1, "x3", 3).readList(1, 1, [1], { final: true }),
    ],
    ["duplicate", () => new PlantedHistory().add(0, 1, "x1", 1).readList(1, 1, [1, 1])],
    [
      "garbage-read",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .readList(1, 1, [1, { id: 9, text: "nobody wrote this", done: false }]),
    ],
    ["garbage-read", () => new PlantedHistory().add(0, 1, "x1", 1).readItem(1, 1, "nobody wrote this")],
    // The done flag is part of the value: "w1" was written done.
    [
      "garbage-read",
      () => new PlantedHistory().add(0, 1, "x1", 1).write(0, 1, "w1", true).readItem(1, 1, "w1", false),
    ],
    ["G1a", () => new PlantedHistory().add(0, 1, "x1", 1, { outcome: "fail" }).readList(1, 1, [1])],
    [
      "G1a",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .write(0, 1, "w1", false, { outcome: "fail" })
          .readItem(1, 1, "w1"),
    ],
    [
      "G1b",
      () =>
        new PlantedHistory()
          .txn(0, [
            { f: "append", listId: 1, text: "x1", id: 1 },
            { f: "append", listId: 1, text: "x3", id: 3 },
          ])
          .readList(1, 1, [1]),
    ],
    [
      "incompatible-order",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .add(0, 1, "x4", 4)
          .readList(1, 1, [1, 4])
          .add(2, 1, "x2", 2)
          .readList(1, 1, [1, 2, 4]),
    ],
    [
      "lost-update",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .write(1, 1, "older", false)
          .write(2, 1, "newer", false)
          .readItem(3, 1, "older", false, { final: true }),
    ],
    [
      "impossible-final",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .write(1, 1, "edit", false)
          .readItem(3, 1, "x1", false, { final: true }),
    ],
    [
      "divergence",
      () => new PlantedHistory().add(0, 1, "x1", 1).write(1, 1, "a", false),
      {
        node1: { lists: [], items: [{ id: 1, listId: 1, text: "a", done: false }] },
        node2: { lists: [], items: [{ id: 1, listId: 1, text: "x1", done: false }] },
      },
    ],
    ["stale-read", () => new PlantedHistory().add(0, 1, "x1", 1).readList(1, 1, [])],
    [
      "stale-read",
      () => new PlantedHistory().add(0, 1, "x1", 1).write(0, 1, "edit", false).readItem(1, 1, "x1"),
    ],
    ["stale-read", () => new PlantedHistory().add(0, 1, "x1", 1).readItem(1, 1, undefined)],
    ["read-your-writes", () => new PlantedHistory().add(0, 1, "x1", 1).readList(0, 1, [])],
    [
      "read-your-writes",
      () => new PlantedHistory().add(0, 1, "x1", 1).write(0, 1, "mine", false).readItem(0, 1, "x1"),
    ],
    ["monotonic-reads", () => new PlantedHistory().add(0, 1, "x1", 1).readList(1, 1, [1]).readList(1, 1, [])],
    [
      "monotonic-reads",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .write(2, 1, "edit", false)
          .readItem(1, 1, "edit")
          .readItem(1, 1, "x1"),
    ],
    [
      "monotonic-writes",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .add(0, 2, "x3", 3)
          .txn(1, [
            { f: "r", listId: 1, items: [] },
            { f: "r", listId: 2, items: items(3) },
          ]),
    ],
    [
      "monotonic-writes",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .write(1, 1, "first", false)
          .write(1, 1, "second", false)
          .readItem(3, 1, "first", false, { final: true }),
    ],
    [
      "writes-follow-reads",
      () =>
        new PlantedHistory()
          .add(0, 1, "x1", 1)
          .readList(1, 1, [1])
          .add(1, 2, "x3", 3)
          .txn(2, [
            { f: "r", listId: 1, items: [] },
            { f: "r", listId: 2, items: items(3) },
          ]),
    ],
  ];
  for (const [kind, build, snapshots] of cases)
    it(`finds ${kind} where it was planted: ${build().events.length - 1} events`, () => {
      const a = analyseConsistency(build().events, snapshots);
      expect(Object.keys(a.counts)).toContain(kind);
      const example = a.examples.find((x) => x.kind === kind)!;
      // Each comes with its explanation: the operations, their times and nodes.
      expect(example.message.length).toBeGreaterThan(20);
      expect(example.ops.length).toBeGreaterThan(0);
      for (const op of example.ops)
        expect(op).toMatchObject({ process: expect.any(Number), invokedAt: expect.any(Number) });
      expect(a.models.ruledOut.length).toBeGreaterThan(0);
    });

  it("G0: two transactions' appends ordered one way on one list and the other way on another", () => {
    const h = new PlantedHistory()
      .txn(0, [
        { f: "append", listId: 1, text: "x1", id: 1 },
        { f: "append", listId: 2, text: "x3", id: 3 },
      ])
      .txn(1, [
        { f: "append", listId: 1, text: "x5", id: 5 },
        { f: "append", listId: 2, text: "x7", id: 7 },
      ])
      .readList(2, 1, [1, 5])
      .readList(2, 2, [7, 3]);
    const a = analyseConsistency(h.events);
    expect(a.counts.G0).toBe(1);
    const g0 = a.examples.find((x) => x.kind === "G0")!;
    expect(g0.cycle!.map((e) => e.type)).toEqual(["ww", "ww"]);
    expect(a.models.ruledOut).toContain("read-uncommitted");
  });

  it("G1c: a write-write and a write-read dependency in a cycle", () => {
    const h = new PlantedHistory()
      .begin(
        0,
        "txn",
        {
          steps: [
            { f: "append", listId: 1, text: "x1" },
            { f: "r", listId: 2 },
          ],
        },
        10,
      )
      .begin(
        1,
        "txn",
        {
          steps: [
            { f: "append", listId: 2, text: "x2" },
            { f: "append", listId: 1, text: "x3" },
          ],
        },
        11,
      )
      .answer(
        1,
        "txn",
        {
          steps: [
            { f: "append", listId: 2, text: "x2", id: 2 },
            { f: "append", listId: 1, text: "x3", id: 3 },
          ],
        },
        12,
      )
      .answer(
        0,
        "txn",
        {
          steps: [
            { f: "append", listId: 1, text: "x1", id: 1 },
            { f: "r", listId: 2, items: items(2) },
          ],
        },
        13,
      )
      .readList(2, 1, [1, 3]);
    const a = analyseConsistency(h.events);
    expect(a.counts.G1c).toBe(1);
    expect(a.counts.G0).toBeUndefined();
    expect(a.models.consistentWith).toContain("read-uncommitted");
    expect(a.models.ruledOut).toContain("read-committed");
  });

  it("G-single: a cycle with exactly one read-write anti-dependency (read skew)", () => {
    const h = new PlantedHistory()
      .begin(
        0,
        "txn",
        {
          steps: [
            { f: "r", listId: 1 },
            { f: "append", listId: 2, text: "x4" },
          ],
        },
        10,
      )
      .begin(
        1,
        "txn",
        {
          steps: [
            { f: "append", listId: 1, text: "x1" },
            { f: "append", listId: 2, text: "x2" },
          ],
        },
        11,
      )
      .answer(
        1,
        "txn",
        {
          steps: [
            { f: "append", listId: 1, text: "x1", id: 1 },
            { f: "append", listId: 2, text: "x2", id: 2 },
          ],
        },
        12,
      )
      .answer(
        0,
        "txn",
        {
          steps: [
            { f: "r", listId: 1, items: [] },
            { f: "append", listId: 2, text: "x4", id: 4 },
          ],
        },
        13,
      )
      .readList(2, 2, [2, 4])
      .readList(2, 1, [1]);
    const a = analyseConsistency(h.events);
    expect(a.counts["G-single"]).toBe(1);
    const g = a.examples.find((x) => x.kind === "G-single")!;
    expect(g.cycle!.filter((e) => e.type === "rw")).toHaveLength(1);
    expect(a.models.ruledOut).toEqual(
      expect.arrayContaining(["snapshot-isolation", "repeatable-read", "serializable"]),
    );
    expect(a.models.consistentWith).toContain("read-committed");
  });

  it("G2-item: write skew, each transaction missing what the other appended", () => {
    const h = new PlantedHistory()
      .begin(
        0,
        "txn",
        {
          steps: [
            { f: "r", listId: 1 },
            { f: "append", listId: 2, text: "x2" },
          ],
        },
        10,
      )
      .begin(
        1,
        "txn",
        {
          steps: [
            { f: "r", listId: 2 },
            { f: "append", listId: 1, text: "x1" },
          ],
        },
        11,
      )
      .answer(
        0,
        "txn",
        {
          steps: [
            { f: "r", listId: 1, items: [] },
            { f: "append", listId: 2, text: "x2", id: 2 },
          ],
        },
        12,
      )
      .answer(
        1,
        "txn",
        {
          steps: [
            { f: "r", listId: 2, items: [] },
            { f: "append", listId: 1, text: "x1", id: 1 },
          ],
        },
        13,
      )
      .readList(2, 1, [1])
      .readList(2, 2, [2]);
    const a = analyseConsistency(h.events);
    expect(a.counts["G2-item"]).toBe(1);
    expect(a.counts["G-single"]).toBeUndefined();
    expect(a.models.consistentWith).toContain("snapshot-isolation");
    expect(a.models.ruledOut).toContain("serializable");
  });

  it("reads an unknown append's element by the text it was sent with (an info append that happened)", () => {
    const h = new PlantedHistory()
      .add(0, 1, "x1", 1, { outcome: "info" })
      .readList(1, 1, [1])
      .readList(2, 1, [1], { final: true });
    expect(kinds(h)).toEqual([]);
  });

  it("a stale read by the session that wrote is a read-your-writes violation too; by another, real time only", () => {
    expect(kinds(new PlantedHistory().add(0, 1, "x1", 1).readList(0, 1, []))).toEqual([
      "read-your-writes",
      "stale-read",
    ]);
    expect(kinds(new PlantedHistory().add(0, 1, "x1", 1).readList(1, 1, []))).toEqual(["stale-read"]);
  });
});

describe("the consistency checker, on a simulated workload history", () => {
  it("finds nothing in 20 000 operations of the workload against a store that does everything right", () => {
    const a = analyseConsistency(simulatedHistory({ operations: 20_000, seed: 7 }));
    expect(a.counts).toEqual({});
    expect(a.size.transactions).toBeGreaterThan(1000);
    expect(a.size.edges).toBeGreaterThan(10_000);
  });

  it("finds one planted lost update among them, and nothing else", () => {
    const events = [...simulatedHistory({ operations: 20_000, seed: 7 })];
    // Plant: the last acknowledged edit of some item is undone in the history's final read.
    const edits = events.filter((e): e is OpOk => e.type === "ok" && e.op === "write-item");
    const first = edits[10]!;
    const again = edits.find(
      (e) =>
        e !== first &&
        e.time > first.time + 50 &&
        (e.value as { itemId: number }).itemId === (first.value as { itemId: number }).itemId,
    );
    expect(again).toBeDefined();
    const v = first.value as { itemId: number; text: string; done: boolean };
    const h = new PlantedHistory();
    h.events.splice(0, 1, ...events);
    h.readItem(999_999, v.itemId, v.text, v.done, { at: 1e9, final: true });
    const a = analyseConsistency(h.events);
    expect(Object.keys(a.counts)).toEqual(["lost-update"]);
  });
});

describe("consistency models", () => {
  it("rules out every model implying one an anomaly rules out, and names the strongest left", () => {
    const v = modelVerdict(["monotonic-reads"]);
    expect(v.ruledOut).toEqual(
      expect.arrayContaining([
        "monotonic-reads",
        "pram",
        "causal",
        "sequential",
        "linearizable",
        "strict-serializable",
      ]),
    );
    expect(v.consistentWith).toEqual(
      expect.arrayContaining(["serializable", "read-your-writes", "monotonic-writes", "writes-follow-reads"]),
    );
    expect(v.strongest).toEqual(
      expect.arrayContaining(["serializable", "read-your-writes", "monotonic-writes", "writes-follow-reads"]),
    );
    expect(describeModels(v)).toMatch(/^consistent with .*serializable.*; not with monotonic-reads$/);
  });
});
