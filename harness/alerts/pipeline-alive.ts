import type { AlertEvent, HistoryEvent, NotificationEvent, ProbeEvent } from "../history/history.ts";
import type { Expectation } from "../store/drill-result.ts";

/** The harness's always-firing alert (cluster/config/harness/rules/watchdog.yml). */
export const WATCHDOG = "Watchdog";

/** `repeat_interval` of the Watchdog's own route in both profiles' alertmanager.yml. */
export const WATCHDOG_REPEAT_SECONDS = 5;

/**
 * The longest stretch without a Watchdog notification that still counts as alive. Measured on
 * hardened labs: one notification every 5.0–6.2 s (the repeat interval, rounded up to Alertmanager's
 * next 1 s group_interval flush), mean 5.4–5.5 s, 55 gaps over 300 s. Three repeat intervals allow
 * one lost or late notification plus 3 s of delay on a busy machine, and still catch Alertmanager
 * frozen for 12 s (measured gap: 16.7 s).
 */
export const WATCHDOG_MAX_GAP_SECONDS = 3 * WATCHDOG_REPEAT_SECONDS;

/** What the AlertWatcher probes. Other observers' probe events (databases, HAProxy) are not the alert path. */
export const ALERT_PIPELINE_SOURCES: readonly string[] = ["prometheus", "grafana", "receiver"];

/** Without these nothing can be proven; Grafana counts only where it was watched (it has probe events). */
const REQUIRED_SOURCES = ["prometheus", "receiver"];

export interface PipelineWindow {
  /** History time (ms) the window begins (a drill's fault). */
  from: number;
  /** History time (ms) the window ends (the end of observation). */
  until: number;
  maxGapSeconds: number;
}

export interface PipelineLiveness {
  alive: boolean;
  /** Why, in one line: what a report shows after "alert pipeline not proven alive: ". */
  evidence: string;
  /**
   * Not alive only because no Watchdog notification has arrived yet in a window still shorter than
   * the bound: one arriving by `from + maxGap` would prove it alive, so a caller may wait for it.
   */
  waitable: boolean;
  maxGapSeconds: number;
  watchdogFiring: boolean;
  /** Watchdog firing notifications from Alertmanager inside the window. */
  notifications: number;
  /** History time (ms) of the last Watchdog notification at or before `until`, in the window or not. */
  lastNotificationAt: number | null;
  /** The longest stretch (s) in the window without a Watchdog notification, and where it began. */
  longestGapSeconds: number;
  longestGapFrom: number;
  /** The first watched source not reachable during the window, with its error. */
  unreachable?: { source: string; error: string; since: number };
}

const s1 = (ms: number) => (ms / 1000).toFixed(1);

/**
 * Whether the alert pipeline was proven alive over [from, until], from the history alone (so a saved
 * run can be judged again): (a) Prometheus showed the Watchdog firing and it did not resolve in the
 * window, (b) every source the AlertWatcher watched was reachable throughout, and (c) Alertmanager's
 * Watchdog notifications reached the receiver with no stretch longer than `maxGapSeconds`, counted
 * from `from` to the first and from the last to `until`.
 */
export function pipelineAlive(history: readonly HistoryEvent[], w: PipelineWindow): PipelineLiveness {
  const problems: string[] = [];
  const maxGapMs = w.maxGapSeconds * 1000;

  const watchdog = history
    .filter((e): e is AlertEvent => e.type === "alert" && e.source === "prometheus" && e.name === WATCHDOG)
    .sort((a, b) => a.time - b.time);
  const everFiring = watchdog.some((e) => e.state === "firing" && e.time <= w.until);
  const resolved = watchdog.find((e) => e.state === "resolved" && e.time >= w.from && e.time <= w.until);
  if (!everFiring) problems.push(`${WATCHDOG} never seen firing in Prometheus`);
  else if (resolved) problems.push(`${WATCHDOG} resolved in Prometheus at ${s1(resolved.time)} s`);

  const blind = firstUnreachable(history, w);
  const unreachable = blind && { source: blind.source, error: blind.error, since: blind.since };
  if (blind) problems.push(blind.message);

  const notes = history
    .filter((e): e is NotificationEvent => e.type === "notification" && isWatchdogNote(e))
    .map((e) => e.time)
    .sort((a, b) => a - b);
  const inWindow = notes.filter((t) => t >= w.from && t <= w.until);
  const lastNotificationAt = notes.filter((t) => t <= w.until).at(-1) ?? null;
  const edges = [w.from, ...inWindow, w.until];
  let longest = 0;
  let longestFrom = w.from;
  for (let i = 1; i < edges.length; i++) {
    if (edges[i]! - edges[i - 1]! > longest) {
      longest = edges[i]! - edges[i - 1]!;
      longestFrom = edges[i - 1]!;
    }
  }
  const bound = `bound ${w.maxGapSeconds} s`;
  let waitable = false;
  if (inWindow.length === 0) {
    const before = lastNotificationAt === null ? "none ever" : `the last at ${s1(lastNotificationAt)} s`;
    problems.push(`no ${WATCHDOG} notification in ${s1(w.until - w.from)} s (${before}; ${bound})`);
    waitable = problems.length === 1 && w.until - w.from <= maxGapMs;
  } else if (longest > maxGapMs) {
    const after =
      longestFrom === w.from ? `the window began at ${s1(w.from)} s` : `one at ${s1(longestFrom)} s`;
    problems.push(`no ${WATCHDOG} notification for ${s1(longest)} s after ${after} (${bound})`);
  }

  const reachable = watchedSources(history).join(" and ");
  return {
    alive: problems.length === 0,
    evidence: problems.length
      ? problems.join("; ")
      : `${WATCHDOG} notified ${inWindow.length}× in ${s1(w.until - w.from)} s, longest gap ${s1(longest)} s (${bound}); ${reachable} reachable`,
    waitable,
    maxGapSeconds: w.maxGapSeconds,
    watchdogFiring: everFiring && !resolved,
    notifications: inWindow.length,
    lastNotificationAt,
    longestGapSeconds: longest / 1000,
    longestGapFrom: longestFrom,
    ...(unreachable ? { unreachable } : {}),
  };
}

/** A webhook from Alertmanager carrying the Watchdog firing: what proves the pipeline alive. */
export function isWatchdogNote(e: NotificationEvent): boolean {
  return e.source === "alertmanager" && e.alerts.some((a) => a.name === WATCHDOG && a.status === "firing");
}

function watchedSources(history: readonly HistoryEvent[]): string[] {
  const probed = new Set(history.filter((e): e is ProbeEvent => e.type === "probe").map((e) => e.source));
  return ALERT_PIPELINE_SOURCES.filter((s) => REQUIRED_SOURCES.includes(s) || probed.has(s));
}

/** The first watched source whose recorded state was not ok (or not known) at some instant of the window. */
function firstUnreachable(history: readonly HistoryEvent[], w: PipelineWindow) {
  const found: { source: string; error: string; since: number; message: string }[] = [];
  for (const source of watchedSources(history)) {
    const probes = history
      .filter((e): e is ProbeEvent => e.type === "probe" && e.source === source && e.time <= w.until)
      .sort((a, b) => a.time - b.time);
    const atStart = probes.filter((p) => p.time <= w.from).at(-1);
    if (!atStart) {
      // Nothing says the watcher could see from `from` to its first probe.
      const error = probes[0]
        ? `first probed at ${s1(probes[0].time)} s, after the window began at ${s1(w.from)} s`
        : "never probed";
      found.push({ source, error, since: w.from, message: `${source}'s reachability: ${error}` });
      continue;
    }
    const bad = [atStart, ...probes.filter((p) => p.time > w.from)].find((p) => !p.ok);
    if (!bad) continue;
    const since = Math.max(bad.time, w.from);
    const error = bad.error ?? "error";
    found.push({ source, error, since, message: `${source} unreachable from ${s1(since)} s: ${error}` });
  }
  return found.sort((a, b) => a.since - b.since)[0];
}

/** The id of the pipeline's line in a drill's expectations (callers find it by this). */
export const PIPELINE_EXPECTATION = "alert-pipeline-alive";

/**
 * The expectation line every alert judgement carries, met or not, so a report always says whether
 * its quiet alerts were watched at all.
 */
export function pipelineExpectation(p: PipelineLiveness): Expectation {
  return {
    id: PIPELINE_EXPECTATION,
    description: `alert pipeline proven alive (${WATCHDOG} notified every ≤ ${p.maxGapSeconds} s, Prometheus and the receiver reachable)`,
    met: p.alive,
    detail: p.evidence,
  };
}
