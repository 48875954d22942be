import type { AlertEvent, HistoryEvent, NotificationEvent } from "../history/history.ts";
import type { AlertResult, Expectation } from "../store/drill-result.ts";
import { alertKey, describeMatcher, matches, type AlertIdentity, type AlertMatcher } from "./alert-key.ts";
import { WATCHDOG, type PipelineLiveness } from "./pipeline-alive.ts";

export type AlertSourceName = AlertResult["source"];

/** What one drill expects of one alert. Budgets are seconds. */
export interface AlertSpec extends AlertMatcher {
  expect: AlertResult["expect"];
  /** Fault → firing (in Prometheus or Grafana). */
  firesWithin?: number;
  /** Fault → firing notification received. */
  notifiedWithin?: number;
  /** Heal (or repair) → resolved notification received. */
  resolvesWithin?: number;
}

export interface AlertWindow {
  /** History time (ms) the fault was injected; detection and notification are timed from here. */
  faultAt: number;
  /** History time (ms) of the heal or repair; resolution is timed from here. */
  healAt: number;
  /** History time (ms) up to which events count (the end of observation). */
  until: number;
}

export interface AlertJudgement {
  results: AlertResult[];
  /** Expectation lines, in the drill's usual shape: `alert:<Name>{labels}` each, failed parts named. */
  expectations: Expectation[];
}

/** An alert expectation's id: what a mutant names to say this alert must break (`alert:ServerDown{server="node1"}`). */
export const alertExpectationId = (m: AlertMatcher) => `alert:${describeMatcher(m)}`;

/** The id of the line that says no alert fired that nobody expected. */
export const NO_UNEXPECTED_ALERT = "alerts-none-unexpected";

const notifierOf: Record<AlertSourceName, NotificationEvent["source"]> = {
  prometheus: "alertmanager",
  grafana: "grafana",
};

const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * Judges alert expectations from a history alone (alert and notification events), so a saved run
 * can be judged again. Times are seconds from the fault (detect, notify) and from the heal (resolve).
 *
 * `pipeline` (from `pipelineAlive` over the same window): where it says the alert pipeline was not
 * proven alive, "stays quiet" and "no unexpected alert" cannot be known and are not met (detail
 * `unknown: …`). Without it they are judged on what was seen alone, as before.
 */
export function judgeAlerts(
  history: readonly HistoryEvent[],
  source: AlertSourceName,
  specs: readonly AlertSpec[],
  allowed: readonly AlertMatcher[],
  w: AlertWindow,
  pipeline?: PipelineLiveness,
): AlertJudgement {
  const blind =
    pipeline && !pipeline.alive
      ? `unknown: alert pipeline not proven alive: ${pipeline.evidence}`
      : undefined;
  const alerts = history.filter(
    (e): e is AlertEvent => e.type === "alert" && e.source === source && e.time <= w.until,
  );
  const notes = history.filter(
    (e): e is NotificationEvent =>
      e.type === "notification" && e.source === notifierOf[source] && e.time <= w.until,
  );
  const firstAlert = (m: AlertMatcher, state: AlertEvent["state"], from: number) =>
    alerts.find((e) => e.state === state && e.time >= from && matches(m, e));
  const firstNote = (m: AlertMatcher, status: "firing" | "resolved", from: number) =>
    notes.find((n) => n.time >= from && n.alerts.some((a) => a.status === status && matches(m, a)));

  const results: AlertResult[] = [];
  const expectations: AlertJudgement["expectations"] = [];
  for (const spec of specs) {
    const what = describeMatcher(spec);
    const firing = firstAlert(spec, "firing", w.faultAt);
    if (spec.expect === "quiet") {
      const note = firstNote(spec, "firing", w.faultAt);
      const quiet = !firing && !note;
      const observed = quiet
        ? "did not fire"
        : `fired ${seconds((firing ?? note)!.time - w.faultAt)} s after the fault`;
      // A quiet alert proves nothing while nothing could have told us it fired.
      const met = quiet && !blind;
      const detail = blind ? `${blind}; ${observed}` : observed;
      results.push(result(spec, source, null, null, null, met, detail));
      expectations.push({
        id: alertExpectationId(spec),
        description: `${what} stays quiet`,
        met,
        detail,
        ...(met ? {} : { failed: ["quiet"] }),
      });
      continue;
    }
    const notified = firstNote(spec, "firing", w.faultAt);
    // Polling sees a firing alert up to one interval late; a notification proves it fired earlier.
    const firedAt = firing && notified ? Math.min(firing.time, notified.time) : firing?.time;
    const detect = firedAt !== undefined ? seconds(firedAt - w.faultAt) : null;
    const notify = notified ? seconds(notified.time - w.faultAt) : null;
    const resolvedNote = notified ? firstNote(spec, "resolved", notified.time) : undefined;
    const problems: string[] = [];
    // Which part of the expectation each problem breaks: a mutant names the part it must break.
    const failed = new Set<"fires" | "notified" | "stays" | "resolves">();
    const problem = (part: "fires" | "notified" | "stays" | "resolves", text: string) => {
      problems.push(text);
      failed.add(part);
    };
    if (detect === null) problem("fires", "never fired");
    else if (spec.firesWithin !== undefined && detect > spec.firesWithin)
      problem("fires", `fired after ${detect} s (budget ${spec.firesWithin} s)`);
    if (notify === null) problem("notified", "no firing notification arrived");
    else if (spec.notifiedWithin !== undefined && notify > spec.notifiedWithin)
      problem("notified", `notified after ${notify} s (budget ${spec.notifiedWithin} s)`);
    let resolve: number | null = null;
    if (spec.expect === "fires-and-stays" && resolvedNote && resolvedNote.time < w.healAt) {
      problem(
        "stays",
        `resolved ${seconds(resolvedNote.time - w.faultAt)} s after the fault, before the repair`,
      );
    }
    const resolvedAfterHeal = notified
      ? firstNote(spec, "resolved", Math.max(w.healAt, notified.time))
      : undefined;
    if (resolvedAfterHeal) resolve = seconds(resolvedAfterHeal.time - w.healAt);
    if (spec.resolvesWithin !== undefined) {
      if (resolve === null) problem("resolves", "no resolved notification after the heal");
      else if (resolve > spec.resolvesWithin)
        problem("resolves", `resolved after ${resolve} s (budget ${spec.resolvesWithin} s)`);
    }
    const met = problems.length === 0;
    const detail = [
      `detect ${detect ?? "–"} s, notify ${notify ?? "–"} s, resolve ${resolve ?? "–"} s`,
      ...problems,
    ].join("; ");
    results.push(result(spec, source, detect, notify, resolve, met, detail));
    expectations.push({
      id: alertExpectationId(spec),
      description: describeSpec(spec),
      met,
      detail,
      ...(failed.size ? { failed: [...failed] } : {}),
    });
  }

  // Anything else that fired during the drill is a finding: an alert nobody expected is noise or a bug.
  // The Watchdog fires always, on purpose.
  const known = [...specs, ...allowed, { name: WATCHDOG }];
  const unexpected = new Map<string, AlertIdentity>();
  for (const e of alerts) {
    if (e.state !== "firing" || e.time < w.faultAt) continue;
    if (!known.some((m) => matches(m, e))) unexpected.set(alertKey(e), e);
  }
  const list = [...unexpected.keys()];
  const seen = list.length ? `unexpected: ${list.join("; ")}` : "none";
  expectations.push({
    id: NO_UNEXPECTED_ALERT,
    description: `no unexpected ${source} alert fired`,
    met: list.length === 0 && !blind,
    detail: blind ? `${blind}; ${seen}` : seen,
  });
  return { results, expectations };
}

function result(
  spec: AlertSpec,
  source: AlertSourceName,
  detect: number | null,
  notify: number | null,
  resolve: number | null,
  met: boolean,
  detail: string,
): AlertResult {
  return {
    alert: spec.name,
    labels: spec.labels ?? {},
    source,
    expect: spec.expect,
    detectSeconds: detect,
    notifySeconds: notify,
    resolveSeconds: resolve,
    met,
    detail,
  };
}

function describeSpec(s: AlertSpec): string {
  const parts = [
    s.firesWithin !== undefined ? `fires ≤ ${s.firesWithin} s` : "fires",
    s.notifiedWithin !== undefined ? `notifies ≤ ${s.notifiedWithin} s` : undefined,
    s.expect === "fires-and-stays" ? "stays firing until repaired" : undefined,
    s.resolvesWithin !== undefined
      ? `resolves ≤ ${s.resolvesWithin} s after ${s.expect === "fires-and-stays" ? "repair" : "heal"}`
      : undefined,
  ].filter(Boolean);
  return `${describeMatcher(s)} ${parts.join(", ")}`;
}

/** The latest instant (history ms) at which an expectation could still change: how long to wait. */
export function judgementDeadline(specs: readonly AlertSpec[], w: Omit<AlertWindow, "until">): number {
  let t = w.faultAt;
  for (const s of specs) {
    if (s.firesWithin !== undefined) t = Math.max(t, w.faultAt + s.firesWithin * 1000);
    if (s.notifiedWithin !== undefined) t = Math.max(t, w.faultAt + s.notifiedWithin * 1000);
    if (s.resolvesWithin !== undefined) t = Math.max(t, w.healAt + s.resolvesWithin * 1000);
  }
  return t;
}

/** Whether the alert was seen firing at any time in the history (e.g. one that fires from the start). */
export function wasFiring(history: readonly HistoryEvent[], m: AlertMatcher): boolean {
  return history.some((e) => e.type === "alert" && e.state === "firing" && matches(m, e));
}
