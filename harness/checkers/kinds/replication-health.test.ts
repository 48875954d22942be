import { describe, expect, it } from "vitest";
import type { ReplicaState } from "../../store/observed.ts";
import { checkReplicationHealth } from "./replication-health.ts";

const healthy: ReplicaState = {
  ioRunning: "Yes",
  sqlRunning: "Yes",
  lastIoError: "",
  lastSqlErrno: 0,
  lastSqlError: "",
  secondsBehindMaster: 0,
  connectRetry: 1,
  usingGtid: "Slave_Pos",
};

describe("checkReplicationHealth", () => {
  it("passes two running replicas", () => {
    expect(checkReplicationHealth({ node1: healthy, node2: healthy }).valid).toBe(true);
  });

  it("catches a planted SQL thread stopped by a duplicate-key conflict, with the statement", () => {
    const stopped: ReplicaState = {
      ...healthy,
      sqlRunning: "No",
      lastSqlErrno: 1062,
      lastSqlError:
        "Could not execute Write_rows_v1 event on table todo.todo_list; Duplicate entry 'x' for key 'title'",
    };
    const v = checkReplicationHealth({ node1: healthy, node2: stopped });
    expect(v.valid).toBe(false);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]!.kind).toBe("replication-conflict");
    expect(v.findings[0]!.message).toContain("Duplicate entry 'x' for key 'title'");
  });

  it("catches an IO thread still connecting and a missing replica", () => {
    const v = checkReplicationHealth({
      node1: { ...healthy, ioRunning: "Connecting", lastIoError: "error reconnecting" },
      node2: undefined,
    });
    expect(v.findings.map((f) => f.kind).sort()).toEqual(["io-thread-stopped", "no-replication"]);
  });
});
