import { describe, expect, it } from "vitest";
import { HistoryBuilder } from "../../checkers/history-builder.ts";
import { stepStats } from "./ramp.ts";

describe("load ramp step statistics", () => {
  it("splits the history into steps and counts dropped arrivals as errors of their step", () => {
    const h = new HistoryBuilder()
      .op("read-item", { itemId: 1 }, 100, 110, "ok", { found: true })
      .op("read-item", { itemId: 1 }, 1100, 1400, "ok", { found: true })
      .op("read-item", { itemId: 1 }, 1200, 1300, "fail");
    const steps = stepStats(h.events, 0, [10, 20], 1, [1500, 1600]);
    expect(steps).toEqual([
      { rate: 10, sent: 1, errors: 0, p99: 10 },
      { rate: 20, sent: 4, errors: 3, p99: 300 },
    ]);
  });
});
