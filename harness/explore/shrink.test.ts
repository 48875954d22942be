import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSchedule, generateSchedules } from "./generate.ts";
import { limitViolations, resolveLimits, type ScheduleLimits } from "./limits.ts";
import {
  overlap,
  ScheduleSchema,
  sortFaults,
  type Schedule,
  type ScheduledFault,
} from "../faults/schedule.ts";
import { shrinkSchedule, type ShrinkResult } from "./shrink.ts";
import { failsOnSimulatedStack, plantedBug, simulateStack } from "./simulated-stack.ts";

// Room for the planted pair beside a generated schedule: up to three faults at once in 30 s.
const limits: ScheduleLimits = resolveLimits({
  maxFaults: 6,
  maxConcurrent: 3,
  horizonSeconds: 30,
  minDurationSeconds: 2,
  maxDurationSeconds: 15,
});
const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });

/** A predicate that counts its calls, so the budget is checked from outside the shrinker. */
function counted(fails: (s: Schedule) => boolean) {
  const calls: Schedule[] = [];
  return { calls, fails: async (s: Schedule) => (calls.push(s), fails(s)) };
}

/** What every shrink must honour, whatever the predicate. */
function expectHonest(
  r: ShrinkResult,
  input: Schedule,
  calls: Schedule[],
  maxRuns: number,
  l = limits,
): void {
  expect(r.runs).toBe(calls.length);
  expect(r.tried).toHaveLength(calls.length);
  expect(calls.length).toBeLessThanOrEqual(maxRuns);
  expect(r.schedule.faults.length).toBeLessThanOrEqual(input.faults.length);
  for (const t of r.tried) {
    expect(ScheduleSchema.safeParse(t.schedule).success).toBe(true);
    expect(limitViolations(t.schedule, l)).toEqual([]);
  }
  // Never the same candidate twice: each run of a real predicate is a drill.
  expect(new Set(r.tried.map((t) => JSON.stringify(t.schedule))).size).toBe(r.tried.length);
  if (r.fails) expect(r.tried.findLast((t) => t.fails)?.schedule).toEqual(r.schedule);
  else expect(r.schedule).toBe(input);
}

/**
 * A generated schedule with the planted pair mixed in, overlapping somewhere in the horizon: the
 * generator's own failing schedules are too rare (a few in a hundred) to draw from directly. Faults of
 * the generated schedule that would break a limit beside the pair are left out.
 */
const failingSchedule: fc.Arbitrary<Schedule> = fc
  .record({
    base: seed,
    crashFor: fc.integer({ min: 2, max: 15 }),
    killFor: fc.integer({ min: 2, max: 15 }),
    crashAt: fc.nat(),
    killAt: fc.nat(),
  })
  .map(({ base, crashFor, killFor, crashAt, killAt }) => {
    const crashStart = crashAt % (limits.horizonSeconds - crashFor + 1);
    const low = Math.max(0, crashStart - killFor + 1);
    const high = Math.min(crashStart + crashFor - 1, limits.horizonSeconds - killFor);
    const faults: ScheduledFault[] = [
      { ...plantedBug.crash, startSeconds: crashStart, durationSeconds: crashFor },
      { ...plantedBug.kill, startSeconds: low + (killAt % (high - low + 1)), durationSeconds: killFor },
    ];
    for (const f of generateSchedule(base, { ...limits, maxFaults: 4 }).faults) {
      const withIt = { seed: base, faults: [...faults, f] };
      if (limitViolations(withIt, limits).length === 0) faults.push(f);
    }
    return { seed: base, faults: sortFaults(faults) };
  })
  // A generated fault can hide the bug (node2's app killed too: nobody acknowledges anything).
  .filter((s) => !simulateStack(s).passed);

const isPlanted = (f: ScheduledFault, p: { kind: string; target: string }) =>
  f.kind === p.kind && f.target === p.target;

function expectThePlantedPair(s: Schedule): void {
  expect(s.faults).toHaveLength(2);
  const crash = s.faults.find((f) => isPlanted(f, plantedBug.crash));
  const kill = s.faults.find((f) => isPlanted(f, plantedBug.kill));
  expect(crash && kill && overlap(crash, kill)).toBe(true);
}

describe("shrinkSchedule on the simulated stack", () => {
  it("finds the planted bug's two faults, still failing, within budget and limits", async () => {
    await fc.assert(
      fc.asyncProperty(failingSchedule, async (input) => {
        expect(simulateStack(input).passed).toBe(false);
        const p = counted((s) => !simulateStack(s).passed);
        const r = await shrinkSchedule(input, p.fails, { maxRuns: 300, limits });
        expectHonest(r, input, p.calls, 300);
        expect(r.fails).toBe(true);
        expect(await failsOnSimulatedStack(r.schedule)).toBe(true);
        expectThePlantedPair(r.schedule);
        for (const t of r.tried) expect(t.fails).toBe(!simulateStack(t.schedule).passed);
      }),
      { numRuns: 60 },
    );
  });

  it("shrinks the generator's own failing schedules the same way", async () => {
    const found = [1, 2, 3, 4, 5].flatMap((s) =>
      generateSchedules(s, 100, limits).filter((x) => !simulateStack(x).passed),
    );
    expect(found.length).toBeGreaterThan(3);
    for (const input of found) {
      const r = await shrinkSchedule(input, failsOnSimulatedStack, { maxRuns: 300, limits });
      expect(r.fails).toBe(true);
      expect(r.schedule.seed).toBe(input.seed);
      expectThePlantedPair(r.schedule);
    }
  });

  it("moves apart faults that need not overlap, where shortening cannot part them", async () => {
    // Faults no shorter than 8 s: shortening leaves these two overlapping, only a move parts them.
    const long = resolveLimits({ ...limits, minDurationSeconds: 8 });
    const input: Schedule = {
      seed: 9,
      faults: [
        { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 8 },
        { kind: "kill-service", target: "node2-app", startSeconds: 6, durationSeconds: 8 },
      ],
    };
    // Fails when both faults are there, at any time.
    const r = await shrinkSchedule(input, async (s) => s.faults.length === 2, { maxRuns: 50, limits: long });
    expect(r.schedule.faults).toEqual([
      input.faults[0],
      { kind: "kill-service", target: "node2-app", startSeconds: 12, durationSeconds: 8 },
    ]);
    expect(r.tried.at(-1)?.step).toBe("move-later");
    // The planted bug needs its overlap: the same move is tried, fails to fail, and is not kept.
    const bug: Schedule = {
      seed: 9,
      faults: [
        { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 8 },
        { kind: "kill-service", target: "node2-db", startSeconds: 6, durationSeconds: 8 },
      ],
    };
    const kept = await shrinkSchedule(bug, failsOnSimulatedStack, { maxRuns: 50, limits: long });
    expect(kept.schedule).toEqual(bug);
    expect(kept.tried.filter((t) => t.step === "move-later").map((t) => t.fails)).toEqual([false]);
  });
});

describe("shrinkSchedule with planted predicates", () => {
  const anySchedule = fc.tuple(seed, fc.constantFrom(limits, resolveLimits())).map(([s, l]) => ({
    input: generateSchedule(s, l),
    l,
  }));

  it("never calls the predicate more than maxRuns times, and keeps only what failed", async () => {
    await fc.assert(
      fc.asyncProperty(
        anySchedule,
        fc.integer({ min: 0, max: 15 }),
        seed,
        async ({ input, l }, maxRuns, salt) => {
          // An arbitrary but deterministic verdict per candidate; the input itself fails.
          const verdict = (s: Schedule) =>
            s === input ||
            [...JSON.stringify(s.faults)].reduce((h, c) => (h * 31 + c.charCodeAt(0) + salt) >>> 0, 7) % 3 !==
              0;
          const p = counted((s) =>
            JSON.stringify(s.faults) === JSON.stringify(sortFaults(input.faults)) ? true : verdict(s),
          );
          const r = await shrinkSchedule(input, p.fails, { maxRuns, limits: l });
          expectHonest(r, input, p.calls, maxRuns, l);
          expect(r.fails).toBe(maxRuns > 0);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("shrinks an always-failing predicate to the empty schedule", async () => {
    await fc.assert(
      fc.asyncProperty(anySchedule, async ({ input, l }) => {
        const p = counted(() => true);
        const r = await shrinkSchedule(input, p.fails, { maxRuns: 100, limits: l });
        expectHonest(r, input, p.calls, 100, l);
        expect(r.fails).toBe(true);
        expect(r.schedule.faults).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("shrinks a predicate that needs one crash to one crash of the shortest duration", async () => {
    const hasCrash = (s: Schedule) => s.faults.some((f) => f.kind === "crash-server");
    await fc.assert(
      fc.asyncProperty(
        anySchedule.filter(({ input }) => hasCrash(input)),
        async ({ input, l }) => {
          const p = counted(hasCrash);
          const r = await shrinkSchedule(input, p.fails, { maxRuns: 100, limits: l });
          expectHonest(r, input, p.calls, 100, l);
          expect(r.schedule.faults).toHaveLength(1);
          expect(r.schedule.faults[0]).toMatchObject({
            kind: "crash-server",
            durationSeconds: l.minDurationSeconds,
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never 'shrinks' a schedule that does not fail: one run, the input back", async () => {
    await fc.assert(
      fc.asyncProperty(anySchedule, async ({ input, l }) => {
        const p = counted(() => false);
        const r = await shrinkSchedule(input, p.fails, { maxRuns: 100, limits: l });
        expect(r).toEqual({ schedule: input, fails: false, runs: 1, tried: [expect.anything()] });
        expect(r.schedule).toBe(input);
        expect(p.calls).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });

  it("refuses an input that is no schedule, or breaks its limits, before running anything", async () => {
    const p = counted(() => true);
    const tooLong = {
      seed: 1,
      faults: [{ kind: "crash-server", target: "node1", startSeconds: 50, durationSeconds: 20 }],
    };
    await expect(shrinkSchedule(tooLong as Schedule, p.fails, { maxRuns: 5 })).rejects.toThrow(
      "shrink: the input breaks its limits: fault 0 (crash node1 at 50 s for 20 s) ends after horizonSeconds 60",
    );
    const unknown = {
      seed: 1,
      faults: [{ kind: "reboot", target: "node1", startSeconds: 0, durationSeconds: 2 }],
    };
    await expect(shrinkSchedule(unknown as unknown as Schedule, p.fails, { maxRuns: 5 })).rejects.toThrow(
      /shrink: not a fault schedule: faults\.0\.kind: unknown fault kind "reboot"/,
    );
    expect(p.calls).toHaveLength(0);
  });
});

describe("the simulated stack", () => {
  const crash = (startSeconds: number): ScheduledFault => ({
    ...plantedBug.crash,
    startSeconds,
    durationSeconds: 5,
  });
  const kill = (startSeconds: number): ScheduledFault => ({
    ...plantedBug.kill,
    startSeconds,
    durationSeconds: 5,
  });
  const run = (...faults: ScheduledFault[]) => simulateStack({ seed: 0, faults });

  it("loses writes only while the planted pair overlaps", () => {
    expect(run(crash(0), kill(3))).toMatchObject({ passed: false, lost: [3, 4] });
    expect(run(crash(0)).passed).toBe(true);
    expect(run(kill(3)).passed).toBe(true);
    expect(run(crash(0), kill(5)).passed).toBe(true);
    expect(run({ ...crash(0), kind: "freeze-server" }, kill(3)).passed).toBe(true);
  });

  it("fails an acknowledged-nothing outage (both apps down) as errors, not as losses", () => {
    const r = run(crash(0), {
      kind: "kill-service",
      target: "node2-app",
      startSeconds: 1,
      durationSeconds: 2,
    });
    expect(r).toMatchObject({ passed: true, lost: [], failed: [1, 2] });
  });

  it("fails exactly the schedules where the two planted faults overlap with node2's app up", () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const x of generateSchedules(s, 10, limits)) {
          const at = (t: number, kind: string, target: string) =>
            x.faults.some(
              (f) =>
                f.kind === kind &&
                f.target === target &&
                f.startSeconds <= t &&
                t < f.startSeconds + f.durationSeconds,
            );
          const bugAt = (t: number) =>
            at(t, "crash-server", "node1") &&
            at(t, "kill-service", "node2-db") &&
            !at(t, "kill-service", "node2-app");
          const expected = Array.from({ length: limits.horizonSeconds }, (_, t) => t).some(bugAt);
          expect(simulateStack(x).passed).toBe(!expected);
        }
      }),
      { numRuns: 50 },
    );
  });
});
