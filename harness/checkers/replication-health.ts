import type { SlaveState } from "../db/replication.ts";
import type { Finding, Verdict } from "./verdict.ts";

/** Both replicas' IO and SQL threads run with no error; a stopped thread is a finding with its error. */
export function checkReplicationHealth(states: Record<"node1" | "node2", SlaveState | undefined>): Verdict {
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
