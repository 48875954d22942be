import type { ReplicationStateEvent } from "../history/history.ts";

/**
 * The replication threads of one node as the history records them. Besides SHOW SLAVE STATUS's own
 * values (`io` is Slave_IO_Running verbatim: "Yes", "No", "Connecting", …), two states of our own:
 * - `io: "unreachable"`, `sql: false`: the node's database did not answer (down, frozen, refused);
 *   the reason is in the `probe` event of `<node>-db` written at the same time. The report draws it
 *   red ("IO unreachable, SQL No"), like a stopped replica, which is what it is to its peer.
 * - `io: "not configured"`, `sql: false`: the database answered with an empty SHOW SLAVE STATUS.
 * `lastErrno` / `lastError` are the SQL thread's (Last_SQL_Errno / Last_SQL_Error, e.g. 1062 and
 * the failing statement); IO errors show as `io` leaving "Yes", not as an errno.
 */
export type ReplicationSample = Pick<ReplicationStateEvent, "io" | "sql" | "lastErrno" | "lastError">;

export const UNREACHABLE = "unreachable";
export const NOT_CONFIGURED = "not configured";
/** Reads one node's replication threads (undefined: none configured); must give up when `signal` aborts. */
export type ReplicationReader = (node: string, signal: AbortSignal) => Promise<ReplicationSample | undefined>;
