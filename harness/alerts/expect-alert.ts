import { faultEvents, type HistoryEvent } from "../history/history.ts";
import type { AlertResult, Expectation } from "../store/drill-result.ts";
import type { AlertMatcher } from "./alert-key.ts";
import { judgeAlerts, judgementDeadline, type AlertSpec, type AlertWindow } from "./alert-expectations.ts";
import type { AlertWatcher } from "./alert-watcher.ts";
import {
  pipelineAlive,
  pipelineExpectation,
  WATCHDOG_MAX_GAP_SECONDS,
  type PipelineLiveness,
} from "./pipeline-alive.ts";

/**
 * The drill-facing way to state alert expectations, e.g.
 * `expectAlert("ReplicationSQLThreadStopped", { node: "node2" }).firesWithin(10).notifiedWithin(15)`.
 */
export class AlertExpectation {
  readonly spec: AlertSpec;

  constructor(name: string, labels?: Record<string, string>) {
    this.spec = { name, ...(labels ? { labels } : {}), expect: "fires" };
  }

  /** Fault → firing in Prometheus, at most this many seconds. */
  firesWithin(seconds: number): this {
    this.spec.firesWithin = seconds;
    return this;
  }
  /** Fault → firing notification at the receiver, at most this many seconds. */
  notifiedWithin(seconds: number): this {
    this.spec.notifiedWithin = seconds;
    return this;
  }
  /** Heal (or repair) → resolved notification at the receiver, at most this many seconds. */
  resolvesWithin(seconds: number): this {
    this.spec.resolvesWithin = seconds;
    return this;
  }
  /** Must keep firing until the drill repairs the cause (pass the repair time as `healAt`). */
  staysFiringUntilRepaired(): this {
    this.spec.expect = "fires-and-stays";
    return this;
  }
  /** Must not fire at all during the drill. */
  staysQuiet(): this {
    this.spec.expect = "quiet";
    return this;
  }
}

export function expectAlert(name: string, labels?: Record<string, string>): AlertExpectation {
  return new AlertExpectation(name, labels);
}

export interface AssertAlertsOptions {
  /** Only `sync()` is used: one poll now, so the judgement sees what has arrived. */
  watcher: Pick<AlertWatcher, "sync">;
  history: { events: readonly HistoryEvent[]; now(): number };
  /** Alerts that may fire without being required (side effects of the fault). */
  allow?: readonly AlertMatcher[];
  /** Defaults: the first fault injection and the last heal in the history. */
  faultAt?: number;
  healAt?: number;
  /** Why Grafana's alerts cannot be asserted here; undefined when Grafana runs. */
  grafanaSkipped?: string;
  /** Longest stretch without a Watchdog notification that still proves the pipeline alive. */
  watchdogMaxGapSeconds?: number;
}

export interface AlertOutcome {
  alerts: AlertResult[];
  expectations: Expectation[];
  figures: Record<string, number | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (bounded by the largest budget) until every expectation is met or can no longer be, then
 * judges from the history. Quiet alerts and "no unexpected alert" count only where the alert
 * pipeline was proven alive over [fault, end] (the Watchdog kept arriving, every source reachable);
 * the line saying whether it was is always part of the outcome. Grafana's assertions are judged
 * where it runs (lines prefixed "Grafana: ") and reported skipped with the reason where it cannot,
 * never passed.
 */
export async function assertAlerts(
  expected: readonly (AlertExpectation | AlertSpec)[],
  o: AssertAlertsOptions,
): Promise<AlertOutcome> {
  const specs = expected.map((e) => (e instanceof AlertExpectation ? e.spec : e));
  const faults = faultEvents(o.history.events);
  const faultAt = o.faultAt ?? faults.find((f) => f.phase === "inject")?.time;
  const healAt = o.healAt ?? faults.filter((f) => f.phase === "heal").at(-1)?.time ?? o.history.now();
  if (faultAt === undefined) throw new Error("assertAlerts: the history has no fault injection to time from");
  const window = { faultAt, healAt };
  const maxGapSeconds = o.watchdogMaxGapSeconds ?? WATCHDOG_MAX_GAP_SECONDS;
  const grafanaSpecs = o.grafanaSkipped === undefined ? specs.map(grafanaBudget) : undefined;
  const deadline = Math.max(
    judgementDeadline(specs, window),
    grafanaSpecs ? judgementDeadline(grafanaSpecs, window) : faultAt,
  );
  const judge = (until: number, pipeline?: PipelineLiveness) => {
    const w = { ...window, until };
    const prometheus = judgeAlerts(o.history.events, "prometheus", specs, o.allow ?? [], w, pipeline);
    const grafana = grafanaSpecs
      ? judgeAlerts(o.history.events, "grafana", grafanaSpecs, o.allow ?? [], w, pipeline)
      : undefined;
    return { prometheus, grafana };
  };
  // Quiet alerts can only be judged at the deadline; the others as soon as they are all met.
  while (o.history.now() < deadline) {
    await o.watcher.sync();
    const { prometheus, grafana } = judge(o.history.now());
    const waitingFor = [...prometheus.results, ...(grafana?.results ?? [])].filter(
      (r) => r.expect !== "quiet" && !r.met,
    );
    if (waitingFor.length === 0 && !specs.some((s) => s.expect === "quiet")) break;
    await sleep(250);
  }
  await o.watcher.sync();
  let until = o.history.now();
  const alive = () => pipelineAlive(o.history.events, { from: faultAt, until, maxGapSeconds });
  let pipeline = alive();
  // A window shorter than the Watchdog's cadence may hold no notification yet: wait for the next
  // one (at most until the bound has passed since the fault) before calling the pipeline dead.
  const waitEnd = performance.now() + maxGapSeconds * 1000;
  for (let i = 0; pipeline.waitable && performance.now() < waitEnd && i < maxGapSeconds * 4 + 4; i++) {
    await sleep(250);
    await o.watcher.sync();
    until = o.history.now();
    pipeline = alive();
  }
  const judged = judge(until, pipeline);
  const grafana: AlertResult[] = judged.grafana
    ? judged.grafana.results
    : specs.map((s) => ({
        alert: s.name,
        labels: s.labels ?? {},
        source: "grafana",
        expect: s.expect,
        detectSeconds: null,
        notifySeconds: null,
        resolveSeconds: null,
        met: false,
        skipped: o.grafanaSkipped,
      }));
  const fired = judged.prometheus.results.filter((r) => r.expect !== "quiet");
  const worst = (f: (r: AlertResult) => number | null) => {
    const xs = fired.map(f).filter((x): x is number => x !== null);
    return xs.length ? Math.max(...xs) : null;
  };
  return {
    alerts: [...judged.prometheus.results, ...grafana],
    expectations: [
      ...judged.prometheus.expectations,
      pipelineExpectation(pipeline),
      ...(judged.grafana?.expectations ?? []).map((e) => ({
        ...e,
        id: `grafana:${e.id ?? ""}`,
        description: `Grafana: ${e.description}`,
      })),
    ],
    figures: {
      alertDetectSeconds: worst((r) => r.detectSeconds),
      alertNotifySeconds: worst((r) => r.notifySeconds),
      alertResolveSeconds: worst((r) => r.resolveSeconds),
    },
  };
}

/** Grafana evaluates every 10 s at best: its budgets are the Prometheus ones plus two evaluations. */
function grafanaBudget(s: AlertSpec): AlertSpec {
  const plus = (x: number | undefined) => (x === undefined ? undefined : x + 20);
  return {
    ...s,
    firesWithin: plus(s.firesWithin),
    notifiedWithin: plus(s.notifiedWithin),
    resolvesWithin: plus(s.resolvesWithin),
  };
}

export type { AlertSpec, AlertWindow };
