/**
 * The seed's "nobody is alerted" line, on recorded histories: it must catch a notification that did
 * reach the receiver after the fault (planted), ignore the Watchdog's and those before the fault, and
 * never pass over a pipeline not proven alive.
 */
import { describe, expect, it } from "vitest";
import type { HistoryEvent, NotificationEvent } from "../../history/history.ts";
import { nobodyAlerted } from "./seed-alerting.ts";

const note = (time: number, ...names: string[]): NotificationEvent => ({
  type: "notification",
  source: "alertmanager",
  status: "firing",
  alerts: names.map((name) => ({ name, labels: {}, status: "firing" })),
  time,
});
const FAULT = 10_000;
const watchdogs: HistoryEvent[] = [
  note(5_000, "Watchdog"),
  note(11_000, "Watchdog"),
  note(16_000, "Watchdog"),
];

describe("seed: nobody is alerted of the fault", () => {
  it("met when only the Watchdog's notifications arrived, over a live pipeline", () => {
    const r = nobodyAlerted(watchdogs, FAULT, true);
    expect(r.expectation).toMatchObject({
      met: true,
      detail: "no notification but the Watchdog's reached the receiver",
    });
    expect(r.notifications).toBe(0);
  });

  it("a notification of a real alert after the fault (planted) is caught and named", () => {
    const r = nobodyAlerted([...watchdogs, note(14_000, "Watchdog", "AppInstanceDown")], FAULT, true);
    expect(r.expectation.met).toBe(false);
    expect(r.expectation.detail).toBe("1 notification(s) reached the receiver: AppInstanceDown");
  });

  it("one from before the fault is not the fault's", () => {
    expect(nobodyAlerted([note(9_000, "MariaDBDown"), ...watchdogs], FAULT, true).expectation.met).toBe(true);
  });

  it("silence over a pipeline not proven alive is not met: nothing may have been listening", () => {
    const r = nobodyAlerted([], FAULT, false);
    expect(r.expectation.met).toBe(false);
    expect(r.expectation.detail).toContain("not proven alive: unknown");
  });
});
