import { describe, expect, it } from "vitest";
import type { OpCompletion } from "../history/history.ts";
import { mulberry32 } from "../util/prng.ts";
import { MAX_APPENDS_PER_LIST, OperationPlanner } from "./next-operation.ts";

/** Plans `n` operations of `kind`, each acknowledged at once with the ids the app would give. */
function drive(p: OperationPlanner, kinds: string[]) {
  let id = 100;
  return kinds.map((k) => {
    const op = p.next(k as never);
    const value = { ...(op.value as object), id: ++id } as never;
    const done: OpCompletion = { type: "ok", process: 0, op: op.kind, value, time: 0, latencyMs: 1 };
    if (op.kind === "txn")
      (done.value as { steps: { f: string; id?: number }[] }).steps = (
        op.value as { steps: { f: string }[] }
      ).steps.map((s) => ({ ...s, ...(s.f === "append" ? { id: ++id } : {}) }));
    p.learn(done);
    return op;
  });
}

describe("OperationPlanner", () => {
  it("narrows edits and item reads to the run's first hotItems items, made before anything else", () => {
    const p = new OperationPlanner({ prefix: "t", random: mulberry32(7).next, hotItems: 2 });
    const early = drive(p, ["create-list", "add-item", "add-item", "add-item"]);
    const hot = early.filter((o) => o.kind === "add-item").slice(0, 2);
    expect(hot).toHaveLength(2);
    const later = drive(
      p,
      Array.from({ length: 200 }, (_, i) => (i % 2 ? "add-item" : "write-item")),
    );
    const edited = new Set(
      later.filter((o) => o.kind === "write-item").map((o) => (o.value as { itemId: number }).itemId),
    );
    expect([...edited].sort()).toEqual([102, 103]);
  });

  it("writes a value unique to each write, and moves to a new list once one has taken its appends", () => {
    const p = new OperationPlanner({ prefix: "u", random: mulberry32(1).next });
    const ops = drive(
      p,
      Array.from({ length: 400 }, (_, i) => ["add-item", "write-item", "txn", "read-list"][i % 4]!),
    );
    const texts = ops.flatMap((o) =>
      o.kind === "txn"
        ? (o.value as { steps: { f: string; text?: string }[] }).steps
            .filter((s) => s.f === "append")
            .map((s) => s.text!)
        : "text" in (o.value as object)
          ? [(o.value as { text: string }).text]
          : [],
    );
    expect(new Set(texts).size).toBe(texts.length);
    const perList = new Map<number, number>();
    for (const o of ops) {
      const appends =
        o.kind === "add-item"
          ? [(o.value as { listId: number }).listId]
          : o.kind === "txn"
            ? (o.value as { steps: { f: string; listId: number }[] }).steps
                .filter((s) => s.f === "append")
                .map((s) => s.listId)
            : [];
      for (const l of appends) perList.set(l, (perList.get(l) ?? 0) + 1);
    }
    expect(Math.max(...perList.values())).toBeLessThanOrEqual(MAX_APPENDS_PER_LIST);
  });
});
