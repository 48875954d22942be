import { describe, expect, it } from "vitest";
import type { Fault } from "./fault.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import { faultEvents } from "../history/history.ts";
import type { Lab } from "../lab/lab.ts";
import { silentProgress } from "../progress/progress.ts";
import { runSchedule } from "./run-schedule.ts";
import type { Schedule, ScheduledFault } from "./schedule.ts";

const UNIT = 100; // ms per schedule second: short, with room for a busy machine
const lab = {} as Lab; // the stand-in faults need nothing of it

/** A stand-in fault that records what happened to it; its heal takes `healMs`. */
function fake(name: string, log: string[], o: { healMs?: number; injectFails?: boolean } = {}): Fault {
  return {
    name,
    needs: [],
    inject: async () => {
      log.push(`inject ${name}`);
      if (o.injectFails) throw new Error(`${name} could not be injected`);
    },
    heal: async () => {
      log.push(`heal ${name}`);
      await new Promise((r) => setTimeout(r, o.healMs ?? 0));
      log.push(`healed ${name}`);
    },
  };
}

const f = (kind: ScheduledFault["kind"], target: string | null, start: number, duration: number) => ({
  kind,
  target,
  startSeconds: start,
  durationSeconds: duration,
});

function setup() {
  const history = new HistoryRecorder("test");
  return { ctx: { lab, history, progress: silentProgress }, history, log: [] as string[] };
}

describe("runSchedule", () => {
  it("injects each fault at its start, heals it after its duration, faults overlapping as planned", async () => {
    const { ctx, history, log } = setup();
    const schedule: Schedule = {
      seed: 1,
      faults: [
        f("split-replication", null, 0, 4),
        f("crash-server", "node1", 1, 2),
        f("kill-service", "node2-app", 6, 1),
      ],
    };
    const t0 = history.now();
    const spans = await runSchedule(ctx, schedule, {
      faults: [fake("split replication", log), fake("crash node1", log), fake("kill node2-app", log)],
      unitMs: UNIT,
    });
    expect(log).toEqual([
      "inject split replication",
      "inject crash node1",
      "heal crash node1",
      "healed crash node1",
      "heal split replication",
      "healed split replication",
      "inject kill node2-app",
      "heal kill node2-app",
      "healed kill node2-app",
    ]);
    expect(spans.map((s) => s.name)).toEqual(["split replication", "crash node1", "kill node2-app"]);
    schedule.faults.forEach((planned, i) => {
      const s = spans[i]!;
      expect(s.fault).toEqual(planned);
      expect(s.injectAt - t0).toBeGreaterThanOrEqual(planned.startSeconds * UNIT - 2);
      expect(s.injectAt).toBeLessThanOrEqual(s.injectedAt);
      expect(s.healAt - s.injectedAt).toBeGreaterThanOrEqual(planned.durationSeconds * UNIT - 2);
      expect(s.healAt).toBeLessThanOrEqual(s.healedAt);
    });
    // The history has each inject and heal, and the span's heal is the one the history dates.
    const heals = faultEvents(history.events).filter((e) => e.phase === "heal");
    expect(heals.map((e) => e.fault)).toEqual(["crash node1", "split replication", "kill node2-app"]);
    expect(spans[1]!.healAt).toBe(heals[0]!.time);
  });

  it("a fault waits for the heal of an earlier one on its target, then runs its full duration", async () => {
    const { ctx, log } = setup();
    const schedule: Schedule = {
      seed: 1,
      faults: [f("crash-server", "node1", 0, 2), f("kill-service", "node1-db", 2, 2)],
    };
    const spans = await runSchedule(ctx, schedule, {
      faults: [fake("crash node1", log, { healMs: 3 * UNIT }), fake("kill node1-db", log)],
      unitMs: UNIT,
    });
    expect(log).toEqual([
      "inject crash node1",
      "heal crash node1",
      "healed crash node1",
      "inject kill node1-db",
      "heal kill node1-db",
      "healed kill node1-db",
    ]);
    expect(spans[1]!.injectAt).toBeGreaterThanOrEqual(spans[0]!.healedAt);
    expect(spans[1]!.healAt - spans[1]!.injectedAt).toBeGreaterThanOrEqual(2 * UNIT - 2);
  });

  it("when one inject fails, the active faults heal at once, later ones never start, and the error is thrown", async () => {
    const { ctx, history, log } = setup();
    const schedule: Schedule = {
      seed: 1,
      faults: [
        f("split-replication", null, 0, 20),
        f("crash-server", "node1", 1, 2),
        f("freeze-server", "node2", 10, 2),
      ],
    };
    const t0 = history.now();
    await expect(
      runSchedule(ctx, schedule, {
        faults: [
          fake("split replication", log),
          fake("crash node1", log, { injectFails: true }),
          fake("freeze node2", log),
        ],
        unitMs: UNIT,
      }),
    ).rejects.toThrow("crash node1 could not be injected");
    expect(log).toEqual([
      "inject split replication",
      "inject crash node1",
      "heal crash node1",
      "healed crash node1",
      "heal split replication",
      "healed split replication",
    ]);
    // Healed long before its 20 s: the schedule stopped with the error.
    expect(history.now() - t0).toBeLessThan(10 * UNIT);
  });

  it("refuses a fault list that does not match the schedule", async () => {
    const { ctx } = setup();
    await expect(
      runSchedule(ctx, { seed: 1, faults: [f("crash-server", "node1", 0, 2)] }, { faults: [] }),
    ).rejects.toThrow("runSchedule: 0 fault(s) for 1 scheduled");
  });
});
