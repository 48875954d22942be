import { checkAvailability } from "../checkers/availability.ts";
import { operations, type HistoryEvent } from "../history/history.ts";
import { sumSamples } from "../probes/metrics-text.ts";
import { runWorkload } from "../workload/workload.ts";
import { expectation, type DrillDefinition } from "./drill.ts";

export const LOAD_STEPS = [25, 50, 100, 200, 300, 400, 600];
const STEP_SECONDS = 4;
const HOLD_SECONDS = 10;
const MAX_ERROR_RATE = 0.01;
const MAX_P99_MS = 500;

interface StepStats {
  rate: number;
  sent: number;
  errors: number;
  p99: number | null;
}

/** Per-step error rate and p99 from the history (by invoke time) and the dropped arrivals. */
export function stepStats(
  history: readonly HistoryEvent[],
  start: number,
  steps: readonly number[],
  seconds: number,
  droppedAt: readonly number[] = [],
): StepStats[] {
  const ops = operations(history).filter((o) => o.invoke.time >= start);
  return steps.map((rate, i) => {
    const from = start + i * seconds * 1000;
    const to = from + seconds * 1000;
    const inStep = ops.filter((o) => o.invoke.time >= from && o.invoke.time < to);
    const lat = inStep
      .filter((o) => o.completion?.type === "ok")
      .map((o) => o.completion!.latencyMs)
      .sort((a, b) => a - b);
    const dropped = droppedAt.filter((t) => t >= from && t < to).length;
    return {
      rate,
      sent: inStep.length + dropped,
      errors: inStep.filter((o) => o.completion?.type !== "ok").length + dropped,
      p99: lat.length ? lat[Math.min(lat.length - 1, Math.floor(0.99 * lat.length))]! : null,
    };
  });
}

async function frontendResponses(metricsUrl: string): Promise<{ total: number; fiveXx: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const name = "haproxy_frontend_http_responses_total";
  return {
    total: sumSamples(text, name, { proxy: "web" }),
    fiveXx: sumSamples(text, name, { proxy: "web", code: "5xx" }),
  };
}

/**
 * load-haproxy — ramp the arrival rate step by step, find the highest step the 2-core lab serves
 * with < 1 % errors and p99 < 500 ms, hold it, and check HAProxy's own counters against the client's.
 */
export const loadHaproxy: DrillDefinition = {
  id: "load-haproxy",
  title: "Ramp and hold load through HAProxy",
  expects: {
    hardened:
      "holds the highest sustainable step with < 1 % errors and p99 < 1 s; HAProxy's counters match the client's",
    seed: "holds the highest sustainable step with < 1 % errors and p99 < 1 s; HAProxy's counters match the client's",
  },
  async run(ctx) {
    const base = {
      baseUrl: ctx.lab.endpoints.haproxy.url,
      concurrency: 64,
      timeoutMs: 5000,
      tag: ctx.tag,
      history: ctx.history,
    };
    const rampStart = ctx.history.now();
    ctx.progress.detail(`ramp: ${LOAD_STEPS.join(", ")} ops/s, ${STEP_SECONDS} s each`);
    const ramp = await runWorkload({
      ...base,
      phases: LOAD_STEPS.map((rate) => ({ rate, seconds: STEP_SECONDS })),
      maxOps: 20_000,
    });
    const steps = stepStats(ctx.history.events, rampStart, LOAD_STEPS, STEP_SECONDS, ramp.droppedAt);
    const good = steps.filter(
      (s) => s.sent > 0 && s.errors / s.sent < MAX_ERROR_RATE && s.p99 !== null && s.p99 < MAX_P99_MS,
    );
    const holdRate = good.at(-1)?.rate ?? LOAD_STEPS[0]!;
    ctx.progress.detail(
      `steps: ${steps.map((s) => `${s.rate}/s p99 ${s.p99} ms, ${s.errors} errors`).join("; ")}; holding ${holdRate}/s`,
    );

    const before = await frontendResponses(ctx.lab.endpoints.haproxy.metricsUrl);
    const holdStart = ctx.history.now();
    const hold = await runWorkload({
      ...base,
      phases: [{ rate: holdRate, seconds: HOLD_SECONDS }],
      maxOps: holdRate * HOLD_SECONDS,
    });
    // HAProxy's exporter is read on demand; its counters are final once the last response is sent.
    const after = await frontendResponses(ctx.lab.endpoints.haproxy.metricsUrl);
    const holdOps = operations(ctx.history.events).filter((o) => o.invoke.time >= holdStart);
    const answered = holdOps.filter(
      (o) =>
        o.completion &&
        !("error" in o.completion && /^\w*(Timeout|Abort|ECONN|UND_ERR)/.test(o.completion.error)),
    ).length;
    const client5xx = holdOps.filter(
      (o) => o.completion && "error" in o.completion && /HTTP 5\d\d/.test(o.completion.error),
    ).length;
    const haproxyAnswered = after.total - before.total;
    // Open model: an arrival the client could not even send is load the lab did not serve.
    const offered = hold.invoked + hold.dropped;
    const errorRate = offered ? (hold.fail + hold.info + hold.dropped) / offered : 0;
    const availability = checkAvailability(
      ctx.history.events.filter((e) => e.type === "start" || e.time >= holdStart),
    );
    return {
      verdicts: [availability],
      figures: {
        sustainedRate: holdRate,
        holdOperations: hold.invoked,
        holdErrorRate: errorRate,
        holdP99Ms: hold.latency.p99,
        dropped: hold.dropped,
        haproxyResponses: haproxyAnswered,
        clientResponses: answered,
        requestsFailed: hold.fail + hold.info,
      },
      expectations: [
        expectation(
          `error rate < 1 % at ${holdRate} ops/s`,
          errorRate < MAX_ERROR_RATE,
          `${(errorRate * 100).toFixed(2)} %`,
        ),
        expectation(
          `p99 < 1000 ms at ${holdRate} ops/s`,
          hold.latency.p99 < 1000,
          `p99 ${hold.latency.p99} ms`,
        ),
        expectation(
          "HAProxy answered exactly the requests the client saw answered",
          haproxyAnswered === answered,
          `HAProxy ${haproxyAnswered}, client ${answered}`,
        ),
        expectation(
          "HAProxy's 5xx count matches the client's",
          after.fiveXx - before.fiveXx === client5xx,
          `HAProxy ${after.fiveXx - before.fiveXx}, client ${client5xx}`,
        ),
      ],
    };
  },
};
