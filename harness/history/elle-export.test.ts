import { describe, expect, it } from "vitest";
import { toElle } from "./elle-export.ts";
import type { HistoryEvent } from "./history.ts";

const ok = (process: number, time: number, op: string, value: object): HistoryEvent =>
  ({ type: "ok", process, op, value, time, node: "node1", latencyMs: 1 }) as HistoryEvent;
const invoke = (process: number, time: number, op: string, value: object): HistoryEvent =>
  ({ type: "invoke", process, op, value, time }) as HistoryEvent;

describe("toElle", () => {
  it("writes list-append and rw-register ops with integer elements, an item known by its id after an edit", () => {
    const history: HistoryEvent[] = [
      { type: "start", time: 0, wallClock: "2026-12-07T00:00:00Z", runId: "t" },
      invoke(1, 1, "create-list", { title: "a" }),
      ok(1, 2, "create-list", { title: "a", id: 7 }),
      invoke(1, 3, "add-item", { listId: 7, text: "t1" }),
      ok(1, 4, "add-item", { listId: 7, text: "t1", id: 40 }),
      invoke(2, 5, "write-item", { itemId: 40, text: "e1", done: true }),
      ok(2, 6, "write-item", { itemId: 40, text: "e1", done: true }),
      invoke(2, 7, "txn", {
        steps: [
          { f: "r", listId: 7 },
          { f: "append", listId: 7, text: "t2" },
        ],
      }),
      ok(2, 8, "txn", {
        steps: [
          { f: "r", listId: 7, items: [{ id: 40, text: "e1", done: true }] },
          { f: "append", listId: 7, text: "t2", id: 41 },
        ],
      }),
      invoke(3, 9, "read-item", { itemId: 40 }),
      ok(3, 10, "read-item", { itemId: 40, text: "e1", done: true, found: true }),
      invoke(3, 11, "read-item", { itemId: 99 }),
      ok(3, 12, "read-item", { itemId: 99, found: false }),
      { type: "fault", phase: "inject", fault: "crash", time: 12 },
    ];
    const e = toElle(history);
    expect(e.listAppend.trim().split("\n")).toEqual([
      "{:index 0, :time 3000000, :type :invoke, :process 1, :f :txn, :value [[:append 7 1]]}",
      "{:index 1, :time 4000000, :type :ok, :process 1, :f :txn, :value [[:append 7 1]]}",
      "{:index 2, :time 7000000, :type :invoke, :process 2, :f :txn, :value [[:r 7 nil] [:append 7 2]]}",
      // The edited item is still element 1: the list read names items by id.
      "{:index 3, :time 8000000, :type :ok, :process 2, :f :txn, :value [[:r 7 [1]] [:append 7 2]]}",
    ]);
    expect(e.rwRegister.trim().split("\n")).toEqual([
      "{:index 0, :time 3000000, :type :invoke, :process 1, :f :txn, :value [[:w 40 1]]}",
      "{:index 1, :time 4000000, :type :ok, :process 1, :f :txn, :value [[:w 40 1]]}",
      "{:index 2, :time 5000000, :type :invoke, :process 2, :f :txn, :value [[:w 40 2]]}",
      "{:index 3, :time 6000000, :type :ok, :process 2, :f :txn, :value [[:w 40 2]]}",
      "{:index 4, :time 9000000, :type :invoke, :process 3, :f :txn, :value [[:r 40 nil]]}",
      "{:index 5, :time 10000000, :type :ok, :process 3, :f :txn, :value [[:r 40 2]]}",
      "{:index 6, :time 11000000, :type :invoke, :process 3, :f :txn, :value [[:r 99 nil]]}",
      "{:index 7, :time 12000000, :type :ok, :process 3, :f :txn, :value [[:r 99 nil]]}",
    ]);
    expect(e.counts).toEqual({ listAppend: 4, rwRegister: 8, unkeyed: 0 });
  });

  it("keeps an op whose answer was lost as :info with the invoke's value, keyed by a later read of its text", () => {
    const history: HistoryEvent[] = [
      invoke(1, 1, "add-item", { listId: 7, text: "lost" }),
      {
        type: "info",
        process: 1,
        op: "add-item",
        value: { listId: 7, text: "lost" },
        time: 2,
        latencyMs: 1,
        error: "timeout",
      },
      invoke(2, 3, "read-list", { listId: 7 }),
      ok(2, 4, "read-list", { listId: 7, items: [{ id: 50, text: "lost", done: false }], found: true }),
      invoke(3, 5, "add-item", { listId: 8, text: "never seen" }),
    ];
    const e = toElle(history);
    expect(e.listAppend).toContain(
      "{:index 1, :time 2000000, :type :info, :process 1, :f :txn, :value [[:append 7 1]]}",
    );
    expect(e.listAppend).toContain(":type :ok, :process 2, :f :txn, :value [[:r 7 [1]]]}");
    // The add that never completed is :info too; its item id was never learnt, so no register op.
    expect(e.listAppend).toContain(":type :info, :process 3, :f :txn, :value [[:append 8 2]]}");
    expect(e.rwRegister).toContain(":type :info, :process 1, :f :txn, :value [[:w 50 1]]}");
    expect(e.counts.unkeyed).toBe(1);
  });
});

// The shape of Elle's documented histories (its README, elle-cli's inputs): one map per line with
// :index, :time, :type, :process, :f and :value, the value a vector of [:append k v], [:r k v] or
// [:w k v] micro-ops; an invocation reads nil, a completed read a vector (list-append) or a value.
const MICRO = String.raw`\[:(append \d+ \d+|r \d+ (nil|\[(\d+( \d+)*)?\]|\d+)|w \d+ \d+)\]`;
const LINE = new RegExp(
  String.raw`^\{:index \d+, :time \d+, :type :(invoke|ok|fail|info), :process \d+, :f :txn, :value \[${MICRO}( ${MICRO})*\]\}$`,
);

describe("toElle's lines", () => {
  it("each parse as an Elle op, indices count up and every invoke reads nil", () => {
    const history: HistoryEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const p = i % 5;
      history.push(
        invoke(p, i * 10, "txn", {
          steps: [
            { f: "r", listId: 1 },
            { f: "append", listId: 2, text: `a${i}` },
          ],
        }),
      );
      history.push(
        ok(p, i * 10 + 3, "txn", {
          steps: [
            { f: "r", listId: 1, items: i ? [{ id: 900, text: "a0", done: false }] : [] },
            { f: "append", listId: 2, text: `a${i}`, id: 900 + i },
          ],
        }),
      );
      history.push(invoke(p, i * 10 + 4, "read-item", { itemId: 900 }));
      history.push(ok(p, i * 10 + 5, "read-item", { itemId: 900, text: "a0", found: true }));
    }
    const e = toElle(history);
    for (const text of [e.listAppend, e.rwRegister]) {
      const lines = text.trim().split("\n");
      lines.forEach((l, i) => {
        expect(l).toMatch(LINE);
        expect(l.startsWith(`{:index ${i}, `)).toBe(true);
        if (l.includes(":type :invoke")) expect(l).not.toMatch(/\[:r \d+ (\[|\d)/);
      });
    }
  });
});
