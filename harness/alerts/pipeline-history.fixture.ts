import type { HistoryEvent } from "../history/history.ts";

/** Hand-built histories of the alert pipeline for unit tests: a healthy one, and the pieces to break it. */

export const start: HistoryEvent = {
  type: "start",
  time: 0,
  wallClock: "2026-11-25T00:00:00.000Z",
  runId: "t",
};

export const probe = (source: string, ok: boolean, time: number, error?: string): HistoryEvent => ({
  type: "probe",
  source,
  ok,
  ...(error ? { error } : {}),
  time,
});

export const watchdogAlert = (state: "firing" | "resolved", time: number): HistoryEvent => ({
  type: "alert",
  source: "prometheus",
  name: "Watchdog",
  labels: { severity: "none" },
  state,
  time,
});

export const watchdogNote = (time: number): HistoryEvent => ({
  type: "notification",
  source: "alertmanager",
  status: "firing",
  alerts: [{ name: "Watchdog", labels: { severity: "none" }, status: "firing" }],
  time,
});

/** Alertmanager's measured cadence: one Watchdog notification every 5 s, here from 2 s to `until`. */
export function watchdogNotes(until: number, every = 5000, first = 2000): HistoryEvent[] {
  const notes: HistoryEvent[] = [];
  for (let t = first; t <= until; t += every) notes.push(watchdogNote(t));
  return notes;
}

/**
 * A pipeline that worked for the whole run: Prometheus and the receiver reachable from the watcher's
 * first poll, the Watchdog firing since before the history began, notified every 5 s.
 */
export function alivePipeline(until = 60_000): HistoryEvent[] {
  return [
    start,
    probe("prometheus", true, 5),
    probe("receiver", true, 6),
    watchdogAlert("firing", -3000),
    ...watchdogNotes(until),
  ];
}

export const isWatchdogNote = (e: HistoryEvent) =>
  e.type === "notification" && e.alerts.some((a) => a.name === "Watchdog");
