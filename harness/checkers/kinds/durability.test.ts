import { describe, expect, it } from "vitest";
import { checkDurability } from "./durability.ts";
import type { DbSnapshot } from "../../store/observed.ts";
import { HistoryBuilder } from "../history-builder.ts";

const history = () =>
  new HistoryBuilder()
    .op("create-list", { title: "t-l0" }, 0, 5, "ok", { id: 1 })
    .op("add-item", { listId: 1, text: "t-i1" }, 10, 15, "ok", { id: 2 })
    .op("add-item", { listId: 1, text: "t-i2" }, 20, 25, "info")
    .op("add-item", { listId: 1, text: "t-i3" }, 30, 35, "fail").events;

const full: DbSnapshot = { lists: [{ id: 1, title: "t-l0" }], items: [{ id: 2, listId: 1, text: "t-i1" }] };

describe("checkDurability", () => {
  it("passes when every acknowledged write is on both nodes; an info write may be absent", () => {
    const v = checkDurability(history(), { node1: full, node2: full }, "t-");
    expect(v.valid).toBe(true);
    expect(v.figures).toMatchObject({
      acknowledgedWrites: 2,
      acknowledgedWritesLost: 0,
      indeterminateWrites: 1,
    });
  });

  it("accepts an indeterminate write that did happen", () => {
    const withInfo = { ...full, items: [...full.items, { id: 4, listId: 1, text: "t-i2" }] };
    expect(checkDurability(history(), { node1: withInfo, node2: withInfo }, "t-").valid).toBe(true);
  });

  it("catches a planted lost write on one node", () => {
    const lossy: DbSnapshot = { lists: full.lists, items: [] };
    const v = checkDurability(history(), { node1: full, node2: lossy }, "t-");
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => f.kind)).toEqual(["lost-write"]);
    expect(v.findings[0]!.message).toContain('node2: acknowledged item 2 "t-i1" is missing');
    expect(v.figures.acknowledgedWritesLost).toBe(1);
  });

  it("catches a wrong value, a phantom and a duplicate", () => {
    const bad: DbSnapshot = {
      lists: [{ id: 1, title: "t-l0" }],
      items: [
        { id: 2, listId: 1, text: "t-changed" },
        { id: 6, listId: 1, text: "t-never-sent" },
        { id: 8, listId: 1, text: "t-i1" },
        { id: 10, listId: 1, text: "t-i1" },
      ],
    };
    const kinds = checkDurability(history(), { node1: full, node2: bad }, "t-")
      .findings.map((f) => f.kind)
      .sort();
    expect(kinds).toEqual(["duplicated-write", "phantom-write", "phantom-write", "wrong-value"]);
  });

  it("catches a write that failed (surely did not happen) but is stored", () => {
    const stored = { ...full, items: [...full.items, { id: 4, listId: 1, text: "t-i3" }] };
    const v = checkDurability(history(), { node1: stored, node2: full }, "t-");
    expect(v.findings.map((f) => f.kind)).toEqual(["failed-write-applied"]);
  });
});
