/**
 * k6 twin of the load-haproxy drill's workload (harness/drills/load-haproxy.ts), in two phases:
 *
 * - `FIREDRILL_PHASE=ramp`: one constant-arrival-rate scenario per step (`FIREDRILL_STEPS`, each
 *   `FIREDRILL_STEP_SECONDS` long, one after the other); each step has its own thresholds, so the
 *   summary says which steps the lab served with < 1 % errors, no dropped arrivals beyond 1 %, and
 *   p99 < 500 ms. Crossed thresholds here are findings, not failures: the ramp is meant to overload.
 * - `FIREDRILL_PHASE=hold`: the chosen rate (`FIREDRILL_HOLD_RATE`) for `FIREDRILL_HOLD_SECONDS`,
 *   with the drill's pass criteria as thresholds (< 1 % errors, p99 < 1 s).
 *
 * Open model as the built-in generator: arrivals keep their schedule, and an arrival finding all
 * `FIREDRILL_CONCURRENCY` VUs busy is dropped (k6's dropped_iterations), which counts as unserved load.
 *
 *   FIREDRILL_URL=http://127.0.0.1:<haproxy port> k6 run scenarios/k6/load-haproxy.ts
 */
import type { Options, Scenario } from "k6/options";
import { envNumber, envNumbers, firedrillUrl, operation } from "./firedrill-api.ts";

const phase = __ENV.FIREDRILL_PHASE ?? "ramp";
if (phase !== "ramp" && phase !== "hold")
  throw new Error(`FIREDRILL_PHASE must be ramp or hold, not "${phase}"`);
const baseUrl = firedrillUrl();
const concurrency = envNumber("FIREDRILL_CONCURRENCY", 64);
const tag = __ENV.FIREDRILL_TAG ?? "k6-load";

const MAX_ERROR_RATE = 0.01;

function arrivals(rate: number, seconds: number, startSeconds: number): Scenario {
  return {
    executor: "constant-arrival-rate",
    rate,
    timeUnit: "1s",
    duration: `${seconds}s`,
    startTime: `${startSeconds}s`,
    preAllocatedVUs: Math.min(concurrency, Math.max(1, Math.ceil(rate / 10))),
    maxVUs: concurrency,
    gracefulStop: "5s",
  };
}

/** The thresholds a step or the hold must meet, on that scenario's own requests. */
function criteria(scenario: string, rate: number, seconds: number, p99Ms: number) {
  const allowedDrops = Math.floor(rate * seconds * MAX_ERROR_RATE);
  return {
    [`http_req_failed{scenario:${scenario}}`]: [`rate<${MAX_ERROR_RATE}`],
    [`http_req_duration{scenario:${scenario}}`]: [`p(99)<${p99Ms}`],
    [`dropped_iterations{scenario:${scenario}}`]: [`count<=${allowedDrops}`],
  };
}

const scenarios: Record<string, Scenario> = {};
let thresholds: NonNullable<Options["thresholds"]> = {};
if (phase === "ramp") {
  const steps = envNumbers("FIREDRILL_STEPS", [25, 50, 100, 200, 300, 400, 600]);
  const seconds = envNumber("FIREDRILL_STEP_SECONDS", 4);
  steps.forEach((rate, i) => {
    scenarios[`step_${rate}`] = arrivals(rate, seconds, i * seconds);
    thresholds = { ...thresholds, ...criteria(`step_${rate}`, rate, seconds, 500) };
  });
} else {
  const rate = envNumber("FIREDRILL_HOLD_RATE", 25);
  const seconds = envNumber("FIREDRILL_HOLD_SECONDS", 10);
  scenarios.hold = arrivals(rate, seconds, 0);
  thresholds = criteria("hold", rate, seconds, 1000);
}

export const options: Options = {
  scenarios,
  thresholds,
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
  discardResponseBodies: false,
  // No cloud, no usage report: this machine talks to its own loopback only.
  noUsageReport: true,
};

export default function (): void {
  operation(baseUrl, tag);
}
