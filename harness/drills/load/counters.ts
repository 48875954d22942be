import type { FrontendResponses } from "../../probes/haproxy-metrics.ts";
import { expectation } from "../expectations.ts";

/**
 * HAProxy's frontend counters over a hold (before → after) against what the load generator saw
 * answered: every answer and every 5xx must be counted by both, or one side is lying.
 */
export function countersMatch(
  client: string,
  before: FrontendResponses,
  after: FrontendResponses,
  seen: { answered: number; fiveXx: number },
) {
  const answered = after.total - before.total;
  const fiveXx = after.fiveXx - before.fiveXx;
  return [
    expectation(
      "counters-answered",
      `HAProxy answered exactly the requests ${client} saw answered`,
      answered === seen.answered,
      `HAProxy ${answered}, ${client} ${seen.answered}`,
    ),
    expectation(
      "counters-5xx",
      `HAProxy's 5xx count matches ${client}'s`,
      fiveXx === seen.fiveXx,
      `HAProxy ${fiveXx}, ${client} ${seen.fiveXx}`,
    ),
  ];
}
