import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/history.ts";
import { replicaStoppedOnError } from "./drill-steps.ts";

const state = (node: string, time: number, sql: boolean, lastErrno = 0): HistoryEvent => ({
  type: "replication-state",
  node,
  io: "Yes",
  sql,
  lastErrno,
  time,
});

describe("replicaStoppedOnError (when waiting for convergence is pointless)", () => {
  it("names the replica whose SQL thread stopped on an error since the heal", () => {
    const h = [state("node1", 1000, true), state("node2", 6000, false, 1062)];
    expect(replicaStoppedOnError(h, 5000)).toBe("node2 (error 1062)");
  });

  it("ignores a stop before the heal, a stop without an error, and a thread that started again", () => {
    expect(replicaStoppedOnError([state("node2", 4000, false, 1062)], 5000)).toBeUndefined();
    expect(replicaStoppedOnError([state("node2", 6000, false, 0)], 5000)).toBeUndefined();
    expect(
      replicaStoppedOnError([state("node2", 6000, false, 1062), state("node2", 7000, true)], 5000),
    ).toBeUndefined();
  });
});
