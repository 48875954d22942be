import { describe, expect, it } from "vitest";
import { scheduleSpec, scheduleId } from "./schedule-spec.ts";
import type { Schedule } from "../../faults/schedule.ts";

const schedule: Schedule = {
  seed: 12,
  faults: [
    { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 8 },
    { kind: "split-replication", target: null, startSeconds: 6, durationSeconds: 5 },
  ],
};

describe("scheduleSpec", () => {
  it("is named by the seed and the faults, so each shrink candidate has its own report folder", () => {
    expect(scheduleId(schedule)).toMatch(/^explore-12-[0-9a-f]{8}$/);
    expect(scheduleId(structuredClone(schedule))).toBe(scheduleId(schedule));
    const shorter = { ...schedule, faults: [{ ...schedule.faults[0]!, durationSeconds: 2 }] };
    expect(scheduleId(shorter)).not.toBe(scheduleId(schedule));
  });

  it("reads like the schedule and states the invariants of both profiles", () => {
    const d = scheduleSpec(schedule);
    expect(d.id).toBe(scheduleId(schedule));
    expect(d.title).toBe(
      "Explored schedule 12: crash node1 at 4 s for 8 s; split replication at 6 s for 5 s",
    );
    expect(scheduleSpec({ seed: 3, faults: [] }).title).toBe("Explored schedule 3: no fault");
    expect(d.expects.hardened).toMatch(
      /no failed request outside the outage windows the active faults explain/,
    );
    expect(d.expects.seed).toMatch(/availability measured, not asserted/);
  });

  it("strict (the explorer's): holds the seed to the hardened invariants, so its weaknesses fail", () => {
    const d = scheduleSpec(schedule, { strict: true });
    expect(d.expects.seed).toBe(d.expects.hardened);
    expect(d.expects.seed).toMatch(/no failed request outside the outage windows/);
  });

  it("builds every real fault when defined, so one that cannot be built fails before a lab starts", () => {
    expect(() =>
      scheduleSpec({
        seed: 1,
        faults: [{ kind: "crash-server", target: null, startSeconds: 0, durationSeconds: 2 }],
      }),
    ).toThrow("crash-server needs a target, not null");
  });

  it("plans the schedule's faults under the explorer's load, held to the invariants of the profile it is judged as", () => {
    const settings = {} as Parameters<ReturnType<typeof scheduleSpec>["plan"]>[0]["settings"];
    const strict = scheduleSpec(schedule, { strict: true }).plan({ profile: "seed", settings });
    const own = scheduleSpec(schedule).plan({ profile: "seed", settings });
    if ("extra" in strict || "extra" in own) throw new Error("a schedule is a fault plan");
    expect(strict.faults).toEqual(schedule.faults);
    expect(strict.load).toEqual({ rate: 20, beforeSeconds: 4, afterSeconds: 12 });
    expect(strict.expect.map((e) => e.id)).toContain("no-unexplained-failure");
    expect(strict.alerts).toEqual({ covered: true });
    expect(own.expect.map((e) => e.id)).toContain("replicas-end-equal");
    expect(own.alerts).toBeUndefined();
  });
});
