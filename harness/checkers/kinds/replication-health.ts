import { z } from "zod";
import { defineChecker } from "../checker.ts";
import type { ReplicaState } from "../../store/observed.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";

/** Both replicas' IO and SQL threads run with no error; a stopped thread is a finding with its error. */
export function checkReplicationHealth(
  states: Record<"node1" | "node2", ReplicaState | undefined>,
): CheckResult {
  const findings: Finding[] = [];
  for (const node of ["node1", "node2"] as const) {
    const s = states[node];
    if (!s) {
      findings.push({ kind: "no-replication", message: `${node}: no replication is configured` });
      continue;
    }
    if (s.sqlRunning !== "Yes") {
      const conflict =
        s.lastSqlErrno === 1062
          ? " (duplicate-key conflict: the same unique value was written on both masters)"
          : "";
      findings.push({
        kind: s.lastSqlErrno === 1062 ? "replication-conflict" : "sql-thread-stopped",
        message: `${node}: SQL thread ${s.sqlRunning}, error ${s.lastSqlErrno}${conflict}: ${s.lastSqlError}`,
        evidence: { node, errno: s.lastSqlErrno, error: s.lastSqlError },
      });
    }
    if (s.ioRunning !== "Yes") {
      findings.push({
        kind: "io-thread-stopped",
        message: `${node}: IO thread ${s.ioRunning}${s.lastIoError ? `: ${s.lastIoError}` : ""}`,
        evidence: { node, state: s.ioRunning, error: s.lastIoError },
      });
    }
  }
  return { checker: "replication-health", valid: findings.length === 0, findings, figures: {} };
}

export const ReplicationHealthOptions = z
  .object({
    /** Judge the replica states the drill read at this named moment (observed.json `moments`), not at the end. */
    moment: z.string().optional(),
  })
  .optional();

export default defineChecker({
  id: "replication-health",
  description: "both replicas' IO and SQL threads run with no error at the end (or at a named moment)",
  options: ReplicationHealthOptions,
  needs: ["observed"],
  figures: [],
  keyFigures: [],
  check: (input, options) => {
    const moment = options?.moment;
    const states = moment ? input.observed.moments?.[moment] : input.observed.replication;
    if (!states) throw new Error(`needs the replica states at "${moment}", which this run did not save`);
    return checkReplicationHealth({ node1: states.node1 ?? undefined, node2: states.node2 ?? undefined });
  },
});
