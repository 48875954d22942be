import { describe, expect, it } from "vitest";
import { HistoryBuilder } from "../history-builder.ts";
import { checkStaleReads } from "./stale-reads.ts";

describe("checkStaleReads", () => {
  it("passes reads that see acknowledged writes, and reads concurrent with the write", () => {
    const h = new HistoryBuilder()
      .op("add-item", { listId: 1, text: "a" }, 0, 10, "ok", { id: 5 })
      .op("read-item", { itemId: 5 }, 5, 12, "ok", { text: undefined, found: false }) // began before the ack
      .op("read-item", { itemId: 5 }, 20, 22, "ok", { text: "a", found: true });
    expect(checkStaleReads(h.events)).toMatchObject({ valid: true, figures: { reads: 2, staleReads: 0 } });
  });

  it("catches a planted stale read after failback to a lagging node", () => {
    const h = new HistoryBuilder()
      .op("add-item", { listId: 1, text: "a" }, 0, 10, "ok", { id: 5 }, "node2")
      .op("read-item", { itemId: 5 }, 30, 32, "ok", { found: false }, "node1");
    const v = checkStaleReads(h.events);
    expect(v.valid).toBe(false);
    expect(v.findings[0]).toMatchObject({ kind: "stale-read" });
    expect(v.findings[0]!.message).toContain("on node1");
  });

  it("catches a read that returns another value", () => {
    const h = new HistoryBuilder()
      .op("add-item", { listId: 1, text: "a" }, 0, 10, "ok", { id: 5 })
      .op("read-item", { itemId: 5 }, 30, 32, "ok", { text: "b", found: true });
    expect(checkStaleReads(h.events).findings.map((f) => f.kind)).toEqual(["wrong-read"]);
  });
});
