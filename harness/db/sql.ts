import mysql, { type Connection, type RowDataPacket } from "mysql2/promise";
import type { DbEndpoint } from "../lab/lab.ts";

export type Row = RowDataPacket;

/** Opens a short-lived root connection (timeouts kept short: a dead or frozen node must not hang a drill). */
export async function withRoot<T>(
  db: DbEndpoint,
  fn: (c: Connection) => Promise<T>,
  database?: string,
): Promise<T> {
  const conn = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: "root",
    password: db.rootPassword,
    database,
    connectTimeout: 3000,
    multipleStatements: false,
  });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

export async function queryRows(c: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await c.query<Row[]>(sql, params);
  return rows;
}

/** Quotes a string literal for statements that take no placeholders (CHANGE MASTER TO, CREATE USER). */
export function literal(value: string): string {
  return mysql.escape(value);
}
