import { describe, expect, it } from "vitest";
import { checkAvailability } from "./availability.ts";
import { HistoryBuilder } from "../history-builder.ts";

// node1 serves; the fault at 1 s; node2 takes over; node1 answers again after the heal at 5 s.
const crash = () =>
  new HistoryBuilder()
    .op("create-list", { title: "a" }, 0, 10, "ok", { id: 1 }, "node1")
    .fault("inject", 1000)
    .op("create-list", { title: "b" }, 1100, 1200, "fail", {}, "node1")
    .op("create-list", { title: "c" }, 1300, 1400, "info", {}, "node1")
    .okRun(1500, 100, 5, "node2")
    .fault("heal", 5000)
    .op("create-list", { title: "e" }, 6000, 6010, "ok", { id: 3 }, "node1");

const hardened = { failoverNode: "node2", failoverSeconds: 2, firstSuccessSeconds: 2, primaryNode: "node1" };

describe("checkAvailability", () => {
  it("counts a 404 as an answer only when told to: the node served, without data not yet replicated", () => {
    const h = new HistoryBuilder()
      .okRun(0, 100, 3, "node2")
      .op("add-item", { listId: 9, text: "x" }, 400, 410, "fail", {}, "node2")
      .okRun(500, 100, 3, "node2");
    const notFound = h.events.filter((e) => e.type === "fail");
    for (const e of notFound) (e as { error: string }).error = "HTTP 404";
    const window = { window: { from: 0 }, maxErrorWindowSeconds: 0 };
    expect(checkAvailability(h.events, window).valid).toBe(false);
    expect(checkAvailability(h.events, { ...window, notFoundIsAnswer: true }).valid).toBe(true);
    // Any other failure still counts.
    for (const e of notFound) (e as { error: string }).error = "HTTP 500";
    expect(checkAvailability(h.events, { ...window, notFoundIsAnswer: true }).valid).toBe(false);
  });

  it("measures the outage to the last failed request, the first success, failback and failures", () => {
    const v = checkAvailability(crash().events, hardened);
    expect(v.valid).toBe(true);
    expect(v.figures).toMatchObject({
      requestsFailed: 2,
      requestsFailedBeforeFault: 0,
      errorWindows: 1,
      longestErrorWindowSeconds: 0.3,
      failoverSeconds: 0.4,
      firstSuccessSeconds: 0.51,
      failbackSeconds: 1.01,
      p50BeforeMs: 10,
    });
  });

  it("catches a planted request that hangs on the dead node long after traffic reached node2", () => {
    // The first success on node2 is quick; a request begun at the fault times out 5 s later.
    const h = crash().op("add-item", { listId: 1, text: "x" }, 1050, 6050, "info", {}, undefined);
    const v = checkAvailability(h.events, hardened);
    expect(v.figures.firstSuccessSeconds).toBe(0.51);
    expect(v.valid).toBe(false);
    expect(v.figures.failoverSeconds).toBe(5.05);
    expect(v.findings.map((f) => f.kind)).toEqual(["slow-failover"]);
  });

  it("catches a planted slow outage: failures keep coming until 3.5 s after the fault", () => {
    const h = new HistoryBuilder()
      .op("create-list", { title: "a" }, 0, 10, "ok", { id: 1 }, "node1")
      .fault("inject", 1000)
      .okRun(1200, 100, 3, "node2")
      .op("create-list", { title: "f" }, 4000, 4500, "fail", {}, "node1")
      .okRun(4600, 100, 5, "node2")
      .fault("heal", 9000);
    const v = checkAvailability(h.events, hardened);
    expect(v.figures.failoverSeconds).toBe(3.5);
    expect(v.findings.map((f) => f.message)).toEqual([
      "the outage lasted 3.50 s from the fault to the last failed request, over 2 s",
    ]);
  });

  it("catches a failover that never happened, and a slow first success", () => {
    const never = new HistoryBuilder()
      .fault("inject", 0)
      .op("create-list", { title: "x" }, 10, 20, "fail", {}, "node1");
    expect(checkAvailability(never.events, { failoverNode: "node2" }).findings[0]!.kind).toBe("no-failover");
    const slow = new HistoryBuilder().fault("inject", 0).okRun(3000, 100, 5, "node2");
    expect(checkAvailability(slow.events, hardened).findings.map((f) => f.kind)).toEqual([
      "slow-first-success",
    ]);
  });

  it("counts dropped arrivals as failed requests and bounds the longest error window", () => {
    const h = crash();
    h.events.push({ type: "drop", time: 2000 }, { type: "drop", time: 2001 });
    const v = checkAvailability(h.events, { maxErrorWindowSeconds: 0.1 });
    expect(v.figures.requestsFailed).toBe(4);
    expect(v.figures.dropped).toBe(2);
    expect(v.findings.map((f) => f.kind)).toEqual(["long-error-window"]);
  });

  it("counts failures before the fault apart (the steady state judges those)", () => {
    const h = new HistoryBuilder()
      .op("create-list", { title: "a" }, 0, 10, "fail", {}, "node1")
      .fault("inject", 1000)
      .okRun(1100, 100, 5, "node2");
    expect(checkAvailability(h.events).figures).toMatchObject({
      requestsFailed: 0,
      requestsFailedBeforeFault: 1,
    });
  });

  it("judges only a window when asked (a load drill's hold)", () => {
    const h = crash();
    const v = checkAvailability(h.events, { window: { from: 5500 } });
    expect(v.figures).toMatchObject({ requests: 1, requestsFailed: 0 });
  });
});
