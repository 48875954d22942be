import { describe, expect, it } from "vitest";
import { checkAvailability } from "./availability.ts";
import { HistoryBuilder } from "./history-builder.ts";

const crash = () =>
  new HistoryBuilder()
    .op("create-list", { title: "a" }, 0, 10, "ok", { id: 1 }, "node1")
    .fault("inject", 1000)
    .op("create-list", { title: "b" }, 1100, 1200, "fail", {}, "node1")
    .op("create-list", { title: "c" }, 1300, 1400, "info", {}, "node1")
    .op("create-list", { title: "d" }, 1500, 2500, "ok", { id: 2 }, "node2")
    .fault("heal", 5000)
    .op("create-list", { title: "e" }, 6000, 6010, "ok", { id: 3 }, "node1");

describe("checkAvailability", () => {
  it("measures failover, failback, error windows and failures", () => {
    const v = checkAvailability(crash().events, {
      failoverNode: "node2",
      failoverSeconds: 2,
      primaryNode: "node1",
    });
    expect(v.valid).toBe(true);
    expect(v.figures).toMatchObject({
      requests: 5,
      requestsFailed: 2,
      errorWindows: 1,
      longestErrorWindowSeconds: 0.2,
      failoverSeconds: 1.5,
      failbackSeconds: 1.01,
      p50BeforeMs: 10,
      p50DuringMs: 1000,
    });
  });

  it("catches a planted slow failover", () => {
    const v = checkAvailability(crash().events, { failoverNode: "node2", failoverSeconds: 1 });
    expect(v.valid).toBe(false);
    expect(v.findings[0]!.message).toBe("failover took 1.50 s, over 1 s");
  });

  it("catches a failover that never happened", () => {
    const h = new HistoryBuilder()
      .fault("inject", 0)
      .op("create-list", { title: "x" }, 10, 20, "fail", {}, "node1");
    expect(checkAvailability(h.events, { failoverNode: "node2" }).findings[0]!.kind).toBe("no-failover");
  });
});
