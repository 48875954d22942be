import { faultEvents, type HistoryEvent } from "../history/history.ts";
import type { AlertResult } from "../report/run-report.ts";
import type { AlertMatcher } from "./alert-key.ts";
import { judgeAlerts, judgementDeadline, type AlertSpec, type AlertWindow } from "./alert-expectations.ts";
import type { AlertWatcher } from "./alert-watcher.ts";

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
  watcher: AlertWatcher;
  history: { events: readonly HistoryEvent[]; now(): number };
  /** Alerts that may fire without being required (side effects of the fault). */
  allow?: readonly AlertMatcher[];
  /** Defaults: the first fault injection and the last heal in the history. */
  faultAt?: number;
  healAt?: number;
  /** Why Grafana's alerts cannot be asserted here; undefined when Grafana runs. */
  grafanaSkipped?: string;
}

export interface AlertOutcome {
  alerts: AlertResult[];
  expectations: { description: string; met: boolean; detail?: string }[];
  figures: Record<string, number | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (bounded by the largest budget) until every expectation is met or can no longer be, then
 * judges from the history. Grafana's assertions are reported skipped with the reason where it
 * cannot run, never passed.
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
  const deadline = judgementDeadline(specs, window);
  const judge = () =>
    judgeAlerts(o.history.events, "prometheus", specs, o.allow ?? [], { ...window, until: o.history.now() });
  let judged = judge();
  // Quiet alerts can only be judged at the deadline; the others as soon as they are all met.
  while (o.history.now() < deadline) {
    await o.watcher.sync();
    judged = judge();
    const waitingFor = judged.results.filter((r) => r.expect !== "quiet" && !r.met);
    if (waitingFor.length === 0 && !specs.some((s) => s.expect === "quiet")) break;
    await sleep(250);
  }
  await o.watcher.sync();
  judged = judge();
  const grafana: AlertResult[] = o.grafanaSkipped
    ? specs.map((s) => ({
        alert: s.name,
        labels: s.labels ?? {},
        source: "grafana",
        expect: s.expect,
        detectSeconds: null,
        notifySeconds: null,
        resolveSeconds: null,
        met: false,
        skipped: o.grafanaSkipped,
      }))
    : judgeAlerts(o.history.events, "grafana", specs.map(grafanaBudget), o.allow ?? [], {
        ...window,
        until: o.history.now(),
      }).results;
  const fired = judged.results.filter((r) => r.expect !== "quiet");
  const worst = (f: (r: AlertResult) => number | null) => {
    const xs = fired.map(f).filter((x): x is number => x !== null);
    return xs.length ? Math.max(...xs) : null;
  };
  return {
    alerts: [...judged.results, ...grafana],
    expectations: judged.expectations,
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
