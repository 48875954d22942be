import { describe, expect, it } from "vitest";
import { checkFaultEffect } from "./fault-effect.ts";
import { HistoryBuilder } from "../history-builder.ts";

const effect = "node1's services do not answer";

describe("checkFaultEffect", () => {
  it("passes a fault whose effect was seen before its heal", () => {
    const h = new HistoryBuilder()
      .fault("inject", 1000, "crash node1", { effect })
      .fault("effect", 1400, "crash node1", { detail: "node1-app: ECONNREFUSED" })
      .fault("heal", 5000);
    expect(checkFaultEffect(h.events)).toMatchObject({ valid: true, figures: { faults: 1, effectsSeen: 1 } });
  });

  it("catches a planted fault that does nothing: no effect before the heal", () => {
    const h = new HistoryBuilder().fault("inject", 1000, "crash node1", { effect }).fault("heal", 5000);
    const v = checkFaultEffect(h.events);
    expect(v.valid).toBe(false);
    expect(v.findings[0]!.message).toBe(
      "fault had no observable effect: crash node1 (expected: node1's services do not answer)",
    );
  });

  it("does not take an effect seen after the heal, nor another fault's", () => {
    const h = new HistoryBuilder()
      .fault("inject", 1000, "crash node1", { effect })
      .fault("effect", 1100, "split replication", { detail: "x" })
      .fault("heal", 5000)
      .fault("effect", 5100, "crash node1", { detail: "late" });
    expect(checkFaultEffect(h.events).valid).toBe(false);
  });

  it("is unknown, not failed, for a fault the history ends in (a killed run)", () => {
    const h = new HistoryBuilder().fault("inject", 1000, "crash node1", { effect });
    expect(checkFaultEffect(h.events)).toMatchObject({
      valid: "unknown",
      findings: [{ kind: "never-healed" }],
    });
  });

  it("is unknown when the drill injected nothing", () => {
    expect(checkFaultEffect(new HistoryBuilder().events).valid).toBe("unknown");
  });
});
