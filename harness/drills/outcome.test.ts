import { describe, expect, it } from "vitest";
import type { DrillResult } from "../store/drill-result.ts";
import { safely } from "../checkers/check-result.ts";
import { summarize, type DrillOutcome } from "./outcome.ts";

const fresh = (): DrillResult => ({
  drill: "d",
  profile: "hardened",
  verdict: "fail",
  figures: {},
  findings: [],
});
const thrown = safely("durability", () => {
  throw new Error("planted: the snapshot could not be parsed");
});

describe("a drill's verdict", () => {
  it("passes when every expectation is met and every checker decided", () => {
    const r = fresh();
    summarize(r, { results: [], figures: {}, expectations: [{ description: "x", met: true }] });
    expect(r.verdict).toBe("pass");
  });

  it("fails on a checker that throws (unknown), though no expectation names it", () => {
    const r = fresh();
    const outcome: DrillOutcome = {
      results: [thrown],
      figures: {},
      expectations: [{ description: "x", met: true }],
    };
    summarize(r, outcome);
    expect(r.verdict).toBe("fail");
    expect(r.findings).toEqual([
      "durability could not decide (unknown, not waived): planted: the snapshot could not be parsed",
    ]);
  });

  it("accepts an unknown the drill waived, with its reason", () => {
    const r = fresh();
    summarize(r, {
      results: [thrown],
      figures: {},
      expectations: [],
      waivers: [{ checker: "durability", reason: "planted waiver" }],
    });
    expect(r.verdict).toBe("pass");
  });
});
