/**
 * k6 twin of the crash-node1 drill's workload (harness/drills/crash-node1.ts): steady load through
 * HAProxy while someone crashes node1 and brings it back. k6 only drives and measures the load; the
 * fault is the harness's (or yours, on a lab left up by `firedrill up`):
 *
 *   FIREDRILL_URL=http://127.0.0.1:<haproxy port> k6 run scenarios/k6/crash-under-load.ts &
 *   sleep 4; docker kill $(docker ps -q --filter label=firedrill.run=<run-id> --filter label=firedrill.server=node1)
 *
 * Thresholds are the hardened profile's: traffic fails over within 2 s, so at most 2 s worth of
 * the run's requests may fail, and p99 stays under 2 s.
 */
import type { Options } from "k6/options";
import { envNumber, firedrillUrl, operation } from "./firedrill-api.ts";

const baseUrl = firedrillUrl();
const rate = envNumber("FIREDRILL_RATE", 20);
// before 4 s + fault 10 s + after 12 s, as the drill.
const seconds = envNumber("FIREDRILL_SECONDS", 26);
const failoverSeconds = envNumber("FIREDRILL_FAILOVER_SECONDS", 2);
const tag = __ENV.FIREDRILL_TAG ?? "k6-crash";

export const options: Options = {
  scenarios: {
    steady: {
      executor: "constant-arrival-rate",
      rate,
      timeUnit: "1s",
      duration: `${seconds}s`,
      preAllocatedVUs: 8,
      maxVUs: 32,
      gracefulStop: "6s",
    },
  },
  thresholds: {
    http_req_failed: [`rate<=${(failoverSeconds / seconds).toFixed(4)}`],
    http_req_duration: ["p(99)<2000"],
    dropped_iterations: [`count<=${Math.ceil(rate * failoverSeconds)}`],
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
  noUsageReport: true,
};

export default function (): void {
  operation(baseUrl, tag);
}
