import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../history/history.ts";
import { replicaStoppedOnError } from "./convergence.ts";

const state = (node: string, time: number, sql: boolean, lastErrno = 0): HistoryEvent => ({
  type: "replication-state",
  node,
  io: "Yes",
  sql,
  lastErrno,
  time,
});

describe("replicaStoppedOnError (when waiting for convergence is pointless)", () => {
  it("names the replica whose SQL thread is stopped on an error, however long ago it stopped", () => {
    const h = [state("node1", 1000, true), state("node2", 2000, false, 1062)];
    expect(replicaStoppedOnError(h)).toBe("node2 (error 1062)");
  });

  it("ignores a stop without an error, and a thread that started again (a restarted server)", () => {
    expect(replicaStoppedOnError([state("node2", 6000, false, 0)])).toBeUndefined();
    expect(
      replicaStoppedOnError([state("node2", 6000, false, 1062), state("node2", 7000, true)]),
    ).toBeUndefined();
  });
});
