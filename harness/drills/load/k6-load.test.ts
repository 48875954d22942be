import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DrillContext } from "../context.ts";
import { FaultUnsupportedError } from "../../faults/fault.ts";
import { silentProgress } from "../../progress/progress.ts";
import { K6UnavailableError, loadWithK6 } from "./k6-load.ts";
import { K6_MISSING } from "../../k6/k6-runner.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "firedrill-k6-drill-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixture = path.join(
  import.meta.dirname,
  "..",
  "..",
  "k6",
  "fixtures",
  "load-haproxy-ramp.summary.json",
);

// Only what loadWithK6 touches of a drill context: no lab runs here, the HAProxy URL is never called.
function context(env: NodeJS.ProcessEnv): DrillContext {
  return {
    settings: { env, repoRoot: path.resolve(import.meta.dirname, "..", "..", "..") },
    lab: {
      endpoints: { haproxy: { url: "http://127.0.0.1:18080", metricsUrl: "http://127.0.0.1:18081/metrics" } },
    },
    profile: "seed",
    history: { now: () => 0, events: [] },
    tag: "load-haproxy-fd-test",
    dir: mkdtempSync(path.join(root, "drill-")),
    progress: silentProgress,
    alerts: { sync: async () => {} },
  } as unknown as DrillContext;
}

const plan = {
  steps: [25, 50, 600],
  stepSeconds: 4,
  holdSeconds: 10,
  concurrency: 64,
  maxErrorRate: 0.01,
  maxP99Ms: 500,
  minHoldRate: 25,
  frontendResponses: (() => {
    let calls = 0;
    // Before the hold, then after it: HAProxy answered 5576 in between, none of them 5xx.
    return async () => (calls++ === 0 ? { total: 1000, fiveXx: 3 } : { total: 6576, fiveXx: 3 });
  })(),
};

describe("load-haproxy driven by k6", () => {
  it("without k6 the drill is skipped with the reason (as a fault this machine cannot inject)", async () => {
    const err = await loadWithK6(context({ PATH: mkdtempSync(path.join(root, "empty-")) }), plan).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(K6UnavailableError);
    expect(err).toBeInstanceOf(FaultUnsupportedError);
    expect((err as K6UnavailableError).reason).toBe(K6_MISSING);
  });

  it("with k6 on PATH: ramp, then hold at the highest step that met its thresholds, summaries folded in", async () => {
    const bin = mkdtempSync(path.join(root, "bin-"));
    const log = path.join(bin, "calls.log");
    writeFileSync(
      path.join(bin, "k6"),
      `#!/bin/sh
if [ "$1" = version ]; then echo "k6 v1.3.0 (commit/abcdef0, go1.24.6, linux/amd64)"; exit 0; fi
echo "$*" >> "${log}"
while [ $# -gt 0 ]; do [ "$1" = --summary-export ] && cp "${fixture}" "$2"; shift; done
exit 99
`,
    );
    chmodSync(path.join(bin, "k6"), 0o755);
    const ctx = context({ PATH: `${bin}:/usr/bin:/bin` });
    const outcome = await loadWithK6(ctx, plan);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain(
      "-e FIREDRILL_PHASE=ramp -e FIREDRILL_STEPS=25,50,600 -e FIREDRILL_STEP_SECONDS=4",
    );
    // Steps 25 and 50 met their thresholds in the recorded summary, 600 did not.
    expect(calls[1]).toContain(
      "-e FIREDRILL_PHASE=hold -e FIREDRILL_HOLD_RATE=50 -e FIREDRILL_HOLD_SECONDS=10",
    );
    expect(calls[1]).toContain(`--summary-export ${path.join(ctx.dir, "k6-hold-summary.json")}`);
    expect(outcome.figures).toMatchObject({
      sustainedRate: 50,
      holdOperations: 5576,
      haproxyResponses: 5576,
      clientResponses: 5576,
      k6Requests: 11152,
      k6ChecksFailed: 136,
      holdP99Ms: 1480.3319,
    });
    const byDescription = Object.fromEntries(outcome.expectations.map((e) => [e.description, e.met]));
    expect(byDescription).toMatchObject({
      "HAProxy answered exactly the requests k6 saw answered": true,
      "HAProxy's 5xx count matches k6's": true,
      // The recorded summary's p99 of 1.48 s and 3 % errors with drops fail the hold, as they should.
      "p99 < 500 ms at 50 ops/s (k6)": false,
      "error rate < 1 % at 50 ops/s (k6)": false,
      // 50 ops/s is above the floor of 25, but a hold that missed its bounds holds nothing.
      "holds at least 25 ops/s (FIREDRILL_MIN_HOLD_RATE) (k6)": false,
    });
  });
});
