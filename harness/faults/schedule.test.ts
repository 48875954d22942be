import { describe, expect, it } from "vitest";
import { exploredKinds, kindOf } from "./fault-kinds.ts";
import { describeSchedule, parseSchedule, ScheduleSchema, type Schedule } from "./schedule.ts";

const good: Schedule = {
  seed: 42,
  faults: [
    { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 8 },
    { kind: "kill-service", target: "node2-db", startSeconds: 6, durationSeconds: 3 },
    { kind: "split-replication", target: null, startSeconds: 20, durationSeconds: 5 },
    { kind: "partition", target: "node1|node2", startSeconds: 30, durationSeconds: 2 },
    { kind: "freeze-server", target: "node2", startSeconds: 40, durationSeconds: 10 },
  ],
};

/** The one-line message parseSchedule throws for a schedule with these faults. */
function refusal(faults: unknown[], seed: unknown = 1): string {
  try {
    parseSchedule({ seed, faults });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the schedule was accepted");
}

const fault = (over: Record<string, unknown>) => ({
  kind: "crash-server",
  target: "node1",
  startSeconds: 0,
  durationSeconds: 5,
  ...over,
});

describe("ScheduleSchema", () => {
  it("accepts a schedule of every kind, and it survives JSON", () => {
    expect(parseSchedule(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(new Set(good.faults.map((f) => f.kind))).toEqual(new Set(exploredKinds.map((k) => k.id)));
  });

  it("refuses an unknown kind, naming it and the kinds there are", () => {
    expect(refusal([fault({ kind: "reboot-server" })])).toBe(
      'not a fault schedule: faults.0.kind: unknown fault kind "reboot-server": expected one of ' +
        "bandwidth-limit, crash-server, freeze-server, freeze-services, kill-service, latency, packet-loss, partition, replica-lag, split-replication, stop-service",
    );
  });

  it("refuses a target its kind does not have, naming the ones it has", () => {
    expect(refusal([fault({ target: "node3" })])).toBe(
      'not a fault schedule: faults.0.target: crash-server has no target "node3": expected one of node1, node2',
    );
    // A real service, but not one the stack is built to lose.
    expect(refusal([fault({ kind: "kill-service", target: "haproxy" })])).toContain(
      'kill-service has no target "haproxy": expected one of node1-db, node1-app, node2-db, node2-app',
    );
    // Control servers exist, but only the nodes crash in a schedule.
    expect(refusal([fault({ target: "control1" })])).toContain('crash-server has no target "control1"');
    expect(refusal([fault({ target: null })])).toContain("crash-server has no target null");
  });

  it("takes a partition's pair in one spelling only, and split replication without a target", () => {
    expect(refusal([fault({ kind: "partition", target: "node2|node1" })])).toContain(
      'partition has no target "node2|node1": expected one of control1|control2',
    );
    expect(refusal([fault({ kind: "split-replication", target: "node1" })])).toContain(
      'split-replication takes no target (null), not "node1"',
    );
    expect(kindOf("partition").targets).toHaveLength(6);
  });

  it("refuses times that are not whole, non-negative seconds, and fields it does not know", () => {
    expect(refusal([fault({ startSeconds: -1 })])).toContain(
      "faults.0.startSeconds: startSeconds must be 0 or more",
    );
    expect(refusal([fault({ durationSeconds: 0 })])).toContain("durationSeconds must be at least 1");
    expect(refusal([fault({ durationSeconds: 2.5 })])).toContain("durationSeconds must be whole seconds");
    expect(refusal([fault({ startSeconds: "4" })])).toContain("startSeconds must be a number of seconds");
    expect(refusal([fault({ direction: "one-way" })])).toMatch(/faults\.0: .*direction/);
    expect(refusal([], -3)).toContain("seed: seed must be an unsigned 32-bit integer");
    expect(() => parseSchedule({ seed: 1 })).toThrow("faults: faults must be a list");
  });

  it("reports the first few problems of a bad schedule in one line", () => {
    const message = refusal([fault({ kind: "nope" }), fault({ target: "x" }), fault({ startSeconds: -2 })]);
    expect(message).not.toContain("\n");
    expect(message).toMatch(/faults\.0\.kind: .*; faults\.1\.target: .*; faults\.2\.startSeconds: /);
  });

  it("is a zod schema others can compose", () => {
    expect(ScheduleSchema.safeParse(good).success).toBe(true);
  });
});

describe("describeSchedule", () => {
  it("says each fault in one short line, in the real faults' words", () => {
    expect(describeSchedule(good)).toEqual([
      "crash node1 at 4 s for 8 s",
      "kill node2-db at 6 s for 3 s",
      "split replication at 20 s for 5 s",
      "partition node1 | node2 at 30 s for 2 s",
      "freeze node2 at 40 s for 10 s",
    ]);
    expect(describeSchedule({ seed: 1, faults: [] })).toEqual([]);
  });
});
