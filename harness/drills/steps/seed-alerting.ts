import type { AlertOutcome } from "../../alerts/expect-alert.ts";
import { PIPELINE_EXPECTATION, WATCHDOG } from "../../alerts/pipeline-alive.ts";
import { faultEvents, type HistoryEvent, type NotificationEvent } from "../../history/history.ts";
import { PrometheusClient } from "../../probes/prometheus-client.ts";
import { describe } from "../../util/errors.ts";
import type { DrillContext } from "../context.ts";
import { checkAlerts } from "./check-alerts.ts";
import type { Expectation } from "../../store/drill-result.ts";

/**
 * A 0/1 series of the stack's own metrics that shows the fault (0 while it lasts): what an alert rule
 * of the original could have read, had it had one.
 */
export interface FaultSeries {
  /** What the series shows at 0, for the report: "node1's app down". */
  what: string;
  /** A PromQL selector of one 0/1 series, e.g. `up{job="app", node="node1"}`. */
  selector: string;
  /** Why the series may never show the fault, in the original's settings: said when no scrape saw it. */
  unseenBecause?: string;
  /**
   * History time (ms) the series can first show it, when that is not the fault's injection: a
   * split-brain's stopped SQL thread comes at the heal. Scrapes are counted from here.
   */
  from?: number;
}

/**
 * The seed's alerting is the original's: none (its alerting was to be Grafana's, and was only
 * planned), so the seed loads no alert rule of its own. Its drills assert who was alerted of the
 * fault: nobody. That is judged like any quiet alert, only with the alert pipeline proven alive (the
 * harness's Watchdog kept reaching the receiver), so "nobody" cannot mean "nothing was listening".
 * Beside it, how many of Prometheus' scrapes (every 15 s, as the original) saw the fault: the data a
 * rule would have needed. That count is reported, never asserted: a fault shorter than the scrape
 * interval may fall between two scrapes, and that is itself what the original would have seen.
 */
export async function seedNobodyAlerted(ctx: DrillContext, seen?: FaultSeries): Promise<AlertOutcome> {
  const a = await checkAlerts(ctx, []);
  const faultAt = faultEvents(ctx.history.events).find((f) => f.phase === "inject")?.time ?? 0;
  const pipelineAlive = a.expectations.some((e) => e.id === PIPELINE_EXPECTATION && e.met);
  const figures: Record<string, number | null> = { ...a.figures };
  let evidence = "";
  if (seen) {
    const scrapes = await faultScrapes(ctx, seen, seen.from ?? faultAt);
    figures.prometheusScrapesSeeingFault = "error" in scrapes ? null : scrapes.down;
    evidence =
      "error" in scrapes
        ? `; Prometheus could not be asked what it saw: ${scrapes.error}`
        : `; Prometheus (every 15 s, as the original) saw ${seen.what} in ${scrapes.down} of its ${scrapes.total} scrape(s) since ${seen.from === undefined ? "the fault" : "it could show"} (${seen.selector})` +
          (scrapes.down === 0 && seen.unseenBecause ? `: ${seen.unseenBecause}` : "");
  }
  const nobody = nobodyAlerted(ctx.history.events, faultAt, pipelineAlive);
  figures.notificationsAfterFault = nobody.notifications;
  return {
    ...a,
    figures,
    expectations: [
      ...a.expectations,
      { ...nobody.expectation, detail: nobody.expectation.detail + evidence },
    ],
  };
}

/**
 * "Nobody is alerted of the fault": no webhook but the Watchdog's reached the receiver since the
 * fault, and the pipeline was proven alive (else nobody heard because nothing was listening: not met).
 */
export function nobodyAlerted(
  history: readonly HistoryEvent[],
  faultAt: number,
  pipelineAlive: boolean,
): { notifications: number; expectation: Expectation & { detail: string } } {
  const notes = alertNotificationsSince(history, faultAt);
  const names = [...new Set(notes.flatMap((n) => n.alerts.map((x) => x.name)))].filter((n) => n !== WATCHDOG);
  return {
    notifications: notes.length,
    expectation: {
      id: "nobody-alerted",
      description: "nobody is alerted of the fault: the seed, as the original, has no alert rule",
      met: pipelineAlive && notes.length === 0,
      detail:
        (notes.length === 0
          ? `no notification but the ${WATCHDOG}'s reached the receiver`
          : `${notes.length} notification(s) reached the receiver: ${names.join(", ")}`) +
        (pipelineAlive ? "" : " (the alert pipeline was not proven alive: unknown)"),
    },
  };
}

/** Webhook deliveries since `from` carrying any alert but the Watchdog. */
export function alertNotificationsSince(history: readonly HistoryEvent[], from: number): NotificationEvent[] {
  return history.filter(
    (e): e is NotificationEvent =>
      e.type === "notification" && e.time >= from && e.alerts.some((x) => x.name !== WATCHDOG),
  );
}

/** The seed's scrape interval (cluster/config/seed/prometheus.yml), as the original's. */
const SCRAPE_SECONDS = 15;

/**
 * How many scrapes of a 0/1 series since the fault were 0, and how many there were. A window shorter
 * than one scrape interval may hold none yet: wait (bounded by one interval and 5 s) for the first.
 */
async function faultScrapes(
  ctx: DrillContext,
  s: FaultSeries,
  faultAt: number,
): Promise<{ down: number; total: number } | { error: string }> {
  const prometheus = new PrometheusClient(ctx.lab.endpoints.prometheus.url);
  const deadline = performance.now() + (SCRAPE_SECONDS + 5) * 1000;
  try {
    for (;;) {
      const range = `${Math.max(1, Math.ceil((ctx.history.now() - faultAt) / 1000))}s`;
      const [total, up] = await Promise.all([
        prometheus.query(`count_over_time(${s.selector}[${range}])`),
        prometheus.query(`sum_over_time(${s.selector}[${range}])`),
      ]);
      const n = total[0]?.value ?? 0;
      if (n > 0 || performance.now() >= deadline) return { total: n, down: n - (up[0]?.value ?? 0) };
      await new Promise((r) => setTimeout(r, 1000));
    }
  } catch (err) {
    return { error: describe(err) };
  }
}
