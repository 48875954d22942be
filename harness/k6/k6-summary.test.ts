import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { metricKey, parseK6Summary, scenarioMet } from "./k6-summary.ts";

// What `k6 run --summary-export` wrote for the load-haproxy ramp with FIREDRILL_STEPS=25,50,600:
// the first two steps were served, 600 ops/s was not.
const recorded = readFileSync(
  path.join(import.meta.dirname, "fixtures", "load-haproxy-ramp.summary.json"),
  "utf8",
);

describe("k6 summary export", () => {
  it("reads the request count, failure rate, latencies, drops and checks", () => {
    const s = parseK6Summary(recorded);
    expect(s).toMatchObject({
      requests: 5576,
      failedRate: 0.012195121951219513,
      p50Ms: 21.7734,
      p95Ms: 402.1187,
      p99Ms: 1480.3319,
      droppedIterations: 124,
      checks: { passes: 5508, fails: 68 },
    });
    expect(s.metric("firedrill_answered")).toEqual({ count: 5576, rate: 194.75 });
    expect(s.metric("http_req_duration", { scenario: "step_600" })?.["p(99)"]).toBe(2405.7719);
  });

  it("turns the export's inverted threshold booleans (true = crossed) into ok", () => {
    const s = parseK6Summary(recorded);
    expect(s.thresholds).toContainEqual({
      metric: "http_req_duration{scenario:step_25}",
      expression: "p(99)<500",
      ok: true,
    });
    expect(s.thresholds).toContainEqual({
      metric: "http_req_failed{scenario:step_600}",
      expression: "rate<0.01",
      ok: false,
    });
    expect(s.thresholds).toHaveLength(9);
  });

  it("says which ramp steps met all of their thresholds", () => {
    const s = parseK6Summary(recorded);
    expect(["step_25", "step_50", "step_600", "step_100"].map((step) => scenarioMet(s, step))).toEqual([
      true,
      true,
      false,
      // A step with no thresholds in the summary did not run: never counted as met.
      false,
    ]);
  });

  it("reads checks as handleSummary's arrays too, and tolerates metrics k6 did not emit", () => {
    const s = parseK6Summary(
      JSON.stringify({
        root_group: { checks: [{ name: "status 200", passes: 3, fails: 1 }], groups: [] },
        metrics: { http_reqs: { count: 4, rate: 1 } },
      }),
    );
    expect(s).toMatchObject({ requests: 4, failedRate: 0, p99Ms: null, droppedIterations: 0 });
    expect(s.checks).toEqual({ passes: 3, fails: 1 });
  });

  it("refuses what is not a summary export, saying why", () => {
    expect(() => parseK6Summary("k6 v1.3.0")).toThrow(/^k6 summary export is not JSON/);
    expect(() => parseK6Summary('{"root_group":{}}')).toThrow(/has no "metrics" object/);
  });

  it("names sub-metrics as k6 does", () => {
    expect(metricKey("http_req_failed")).toBe("http_req_failed");
    expect(metricKey("http_req_failed", { scenario: "hold" })).toBe("http_req_failed{scenario:hold}");
  });
});
