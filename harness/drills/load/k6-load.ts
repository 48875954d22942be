import path from "node:path";
import { countersMatch } from "./counters.ts";
import { alertsUnderLoad } from "../steps/alerts-under-load.ts";
import { frontendResponses, type FrontendResponses } from "../../probes/haproxy-metrics.ts";
import type { DrillContext } from "../context.ts";
import { expectation } from "../expectations.ts";
import type { Expectation } from "../../store/drill-result.ts";
import { FaultUnsupportedError } from "../../faults/fault.ts";
import { LABEL_ROLE } from "../../lab/labels.ts";
import { k6Availability, runK6, type K6Run } from "../../k6/k6-runner.ts";
import { scenarioMet } from "../../k6/k6-summary.ts";

/** k6 was asked for and cannot run here: the drill is skipped with the reason, never passed. */
export class K6UnavailableError extends FaultUnsupportedError {
  constructor(reason: string) {
    super("k6 load generator", reason);
    this.name = "K6UnavailableError";
  }
}

export interface K6LoadPlan {
  steps: readonly number[];
  stepSeconds: number;
  holdSeconds: number;
  concurrency: number;
  maxErrorRate: number;
  /** The one p99 bound of the ramp's good steps and the hold (ms). */
  maxP99Ms: number;
  /** The lowest rate the hold must reach (FIREDRILL_MIN_HOLD_RATE). */
  minHoldRate: number;
  /** HAProxy's own response counters for the `web` frontend (tests plant them; default: the probe). */
  frontendResponses?: (metricsUrl: string) => Promise<FrontendResponses>;
}

const count = (run: K6Run, metric: string) => Number(run.summary.metric(metric)?.count ?? 0);

/**
 * load-haproxy's ramp and hold driven by k6 (scenarios/k6/load-haproxy.ts) instead of the built-in
 * generator: the ramp's per-step thresholds pick the hold rate, the hold is judged as the drill
 * judges it, and k6's summaries land in the drill's folder (`k6-ramp-summary.json`,
 * `k6-hold-summary.json`) with their key numbers in the figures (`k6…`). k6 does not write the
 * history, so the availability checker has nothing to read here; HAProxy's counters still are
 * compared with what k6 saw answered.
 */
export async function loadWithK6(
  ctx: DrillContext,
  plan: K6LoadPlan,
): Promise<{ figures: Record<string, number | null>; expectations: Expectation[] }> {
  const env = ctx.settings.env;
  // With FIREDRILL_K6_IMAGE, k6 runs in containers carrying the lab's run labels (role k6).
  const labels = { ...ctx.lab.labels, [LABEL_ROLE]: "k6" };
  const k6 = await k6Availability(env, labels);
  if ("skipped" in k6) throw new K6UnavailableError(k6.skipped);
  const script = path.join(ctx.settings.repoRoot, "scenarios", "k6", "load-haproxy.ts");
  const common = {
    FIREDRILL_URL: ctx.lab.endpoints.haproxy.url,
    FIREDRILL_CONCURRENCY: String(plan.concurrency),
  };
  // One k6 run of the script: its phase's settings, its summary in the drill's folder, a minute's slack.
  const phase = (name: "ramp" | "hold", seconds: number, scriptEnv: Record<string, string>) =>
    runK6({
      k6: k6.path,
      image: k6.image,
      labels,
      script,
      scriptEnv: { ...common, FIREDRILL_PHASE: name, ...scriptEnv, FIREDRILL_TAG: `${ctx.tag}-k6${name[0]}` },
      summaryFile: path.join(ctx.dir, `k6-${name}-summary.json`),
      timeoutMs: (seconds + 60) * 1000,
      env,
    });
  const rampStart = ctx.history.now();
  ctx.progress.detail(`k6 ${k6.version} ramp: ${plan.steps.join(", ")} ops/s, ${plan.stepSeconds} s each`);
  const ramp = await phase("ramp", plan.steps.length * plan.stepSeconds, {
    FIREDRILL_STEPS: plan.steps.join(","),
    FIREDRILL_STEP_SECONDS: String(plan.stepSeconds),
  });
  const good = plan.steps.filter((rate) => scenarioMet(ramp.summary, `step_${rate}`));
  const holdRate = good.at(-1) ?? plan.steps[0]!;
  ctx.progress.detail(`k6 steps met: ${good.join(", ") || "none"}; holding ${holdRate}/s`);

  const counters = plan.frontendResponses ?? frontendResponses;
  const before = await counters(ctx.lab.endpoints.haproxy.metricsUrl);
  const hold = await phase("hold", plan.holdSeconds, {
    FIREDRILL_HOLD_RATE: String(holdRate),
    FIREDRILL_HOLD_SECONDS: String(plan.holdSeconds),
  });
  const after = await counters(ctx.lab.endpoints.haproxy.metricsUrl);
  const s = hold.summary;
  const failed = Math.round(s.failedRate * s.requests);
  const offered = s.requests + s.droppedIterations;
  const errorRate = offered ? (failed + s.droppedIterations) / offered : 0;
  const answered = count(hold, "firedrill_answered");
  const client5xx = count(hold, "firedrill_answered_5xx");
  const haproxyAnswered = after.total - before.total;

  // k6 writes no history: its own counts give the 5xx share over the ramp and the hold.
  const all5xx = count(ramp, "firedrill_answered_5xx") + client5xx;
  const allAnswered = count(ramp, "firedrill_answered") + answered;
  const alerts = await alertsUnderLoad(ctx, rampStart, allAnswered ? all5xx / allAnswered : 0);

  return {
    figures: {
      sustainedRate: holdRate,
      holdOperations: s.requests,
      holdErrorRate: errorRate,
      holdP99Ms: s.p99Ms,
      dropped: s.droppedIterations,
      haproxyResponses: haproxyAnswered,
      clientResponses: answered,
      requestsFailed: failed,
      k6Requests: ramp.summary.requests + s.requests,
      k6HoldFailedRate: s.failedRate,
      k6HoldP95Ms: s.p95Ms,
      k6ChecksFailed: ramp.summary.checks.fails + s.checks.fails,
      k6HoldThresholdsCrossed: s.thresholds.filter((t) => !t.ok).length,
    },
    expectations: [
      expectation(
        "error-rate",
        `error rate < 1 % at ${holdRate} ops/s (k6)`,
        errorRate < plan.maxErrorRate,
        `${(errorRate * 100).toFixed(2)} %`,
      ),
      expectation(
        "holds-min-rate",
        `holds at least ${plan.minHoldRate} ops/s (FIREDRILL_MIN_HOLD_RATE) (k6)`,
        holdRate >= plan.minHoldRate &&
          errorRate < plan.maxErrorRate &&
          s.p99Ms !== null &&
          s.p99Ms < plan.maxP99Ms,
        `held ${holdRate} ops/s${good.length === 0 ? "; no ramp step was met" : ""}`,
      ),
      expectation(
        "p99",
        `p99 < ${plan.maxP99Ms} ms at ${holdRate} ops/s (k6)`,
        s.p99Ms !== null && s.p99Ms < plan.maxP99Ms,
        `p99 ${s.p99Ms?.toFixed(1)} ms`,
      ),
      ...countersMatch("k6", before, after, { answered, fiveXx: client5xx }),
      ...alerts,
    ],
  };
}
