import { randomUUID } from "node:crypto";
import type { DbEndpoint } from "../lab/lab.ts";
import { waitUntil } from "../util/wait-until.ts";
import { queryRows, withRoot } from "./sql.ts";

export const HEARTBEAT_TABLE = "firedrill_heartbeat";

export interface RoundTrip {
  /** Seconds for a row written on the first node to be readable on the second, and back. */
  forwardSeconds: number;
  backSeconds: number;
}

async function insertToken(db: DbEndpoint, origin: string): Promise<string> {
  const token = randomUUID();
  await withRoot(
    db,
    (c) => c.query(`INSERT INTO ${HEARTBEAT_TABLE} (origin, token) VALUES (?, ?)`, [origin, token]),
    db.database,
  );
  return token;
}

async function waitToken(db: DbEndpoint, token: string, what: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  await waitUntil(
    what,
    async () => {
      const rows = await withRoot(
        db,
        (c) => queryRows(c, `SELECT 1 FROM ${HEARTBEAT_TABLE} WHERE token = ?`, [token]),
        db.database,
      );
      return rows.length > 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return (performance.now() - t0) / 1000;
}

/**
 * Proves replication works both ways with real rows, not just thread flags: a row written on `a`
 * appears on `b`, then a row written on `b` appears on `a`.
 */
export async function verifyRoundTrip(
  a: { name: string; db: DbEndpoint },
  b: { name: string; db: DbEndpoint },
  timeoutMs: number,
): Promise<RoundTrip> {
  await withRoot(
    a.db,
    (c) =>
      c.query(
        `CREATE TABLE IF NOT EXISTS ${HEARTBEAT_TABLE} (
           id INT AUTO_INCREMENT PRIMARY KEY,
           origin VARCHAR(16) NOT NULL,
           token CHAR(36) NOT NULL UNIQUE,
           written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
         ) ENGINE=InnoDB`,
      ),
    a.db.database,
  );
  const forward = await insertToken(a.db, a.name);
  const forwardSeconds = await waitToken(b.db, forward, `row from ${a.name} visible on ${b.name}`, timeoutMs);
  const back = await insertToken(b.db, b.name);
  const backSeconds = await waitToken(a.db, back, `row from ${b.name} visible on ${a.name}`, timeoutMs);
  return { forwardSeconds, backSeconds };
}
