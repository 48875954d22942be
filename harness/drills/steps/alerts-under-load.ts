import { judgeAlerts } from "../../alerts/alert-expectations.ts";
import { pipelineAlive, pipelineExpectation, WATCHDOG_MAX_GAP_SECONDS } from "../../alerts/pipeline-alive.ts";
import type { DrillContext } from "../context.ts";
import { expectation } from "../expectations.ts";

const FIVE_XX = "HighHTTP5xxRate";

/**
 * Under load alone no alert may fire (in the seed, which has no alert rule as the original, nothing
 * but the Watchdog can); the 5xx-rate alert only when the share of 5xx crosses its 5 %
 * threshold. `fiveXxShare` (the client's largest 10 s share) says whether it did: under 4 % the
 * alert must stay quiet, over 6 % it must fire, in between it may. Judged only with the alert
 * pipeline proven alive over the load (else "stayed quiet" means nothing): the built-in generator
 * and k6 judge alike. Syncs the watcher first, so the latest alert state is in the history.
 */
export async function alertsUnderLoad(ctx: DrillContext, from: number, fiveXxShare: number) {
  await ctx.alerts.sync();
  const until = ctx.history.now();
  const events = ctx.history.events;
  const pipeline = pipelineAlive(events, { from, until, maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS });
  const hasRules = ctx.profile !== "seed";
  const quiet = fiveXxShare < 0.04;
  const judged = judgeAlerts(
    events,
    "prometheus",
    quiet && hasRules ? [{ name: FIVE_XX, expect: "quiet" }] : [],
    quiet ? [] : [{ name: FIVE_XX }],
    { faultAt: from, healAt: until, until },
    pipeline,
  );
  const lines = [...judged.expectations, pipelineExpectation(pipeline)];
  if (fiveXxShare > 0.06 && hasRules) {
    const fired = events.some(
      (e) => e.type === "alert" && e.name === FIVE_XX && e.state === "firing" && e.time >= from,
    );
    lines.push(
      expectation(
        `alert:${FIVE_XX}`,
        `${FIVE_XX} fires: the client saw over 6 % 5xx in a 10 s window`,
        fired,
        `max share ${(fiveXxShare * 100).toFixed(1)} %`,
      ),
    );
  }
  return lines.map((e) => ({
    ...e,
    id: `under-load: ${e.id ?? ""}`,
    description: `under load: ${e.description}`,
  }));
}
