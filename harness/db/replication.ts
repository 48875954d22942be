import type { Profile } from "../config/profiles.ts";
import type { DbEndpoint } from "../lab/lab.ts";
import { waitUntil } from "../util/wait-until.ts";
import { literal, queryRows, withRoot } from "./sql.ts";
import type { ReplicaState } from "../store/observed.ts";

export interface ReplicaLink {
  /** The node whose database replicates from `masterAlias`. */
  replica: DbEndpoint;
  /** The master's name on the lab network, as the replica reaches it. */
  masterAlias: string;
  master: DbEndpoint;
}

export interface ReplicationUser {
  user: string;
  password: string;
}

/** Users that must exist on one node only: created with the binary log off so they do not replicate. */
export async function createLocalUsers(
  db: DbEndpoint,
  repl: ReplicationUser,
  exporter: ReplicationUser,
  profile: Profile,
  appUser: string,
): Promise<void> {
  await withRoot(db, async (c) => {
    await c.query("SET sql_log_bin = 0");
    await c.query(
      `CREATE USER IF NOT EXISTS ${literal(repl.user)}@'%' IDENTIFIED BY ${literal(repl.password)}`,
    );
    await c.query(`GRANT REPLICATION SLAVE ON *.* TO ${literal(repl.user)}@'%'`);
    await c.query(
      `CREATE USER IF NOT EXISTS ${literal(exporter.user)}@'%' IDENTIFIED BY ${literal(exporter.password)} WITH MAX_USER_CONNECTIONS 3`,
    );
    await c.query(`GRANT ${profile.exporterGrants.join(", ")} ON *.* TO ${literal(exporter.user)}@'%'`);
    if (profile.appGrants.length > 0) {
      await c.query(`GRANT ${profile.appGrants.join(", ")} ON *.* TO ${literal(appUser)}@'%'`);
    }
    await c.query("SET sql_log_bin = 1");
  });
}

/** Points `link.replica` at its master and starts the slave threads, the way the profile says. */
export async function startReplication(
  link: ReplicaLink,
  repl: ReplicationUser,
  profile: Profile,
): Promise<void> {
  const common = [
    `MASTER_HOST=${literal(link.masterAlias)}`,
    "MASTER_PORT=3306",
    `MASTER_USER=${literal(repl.user)}`,
    `MASTER_PASSWORD=${literal(repl.password)}`,
    `MASTER_CONNECT_RETRY=${profile.replication.connectRetrySeconds}`,
  ];
  let position: string[];
  if (profile.replication.mode === "gtid") {
    position = ["MASTER_USE_GTID=slave_pos"];
  } else {
    // The original tutorial: read SHOW MASTER STATUS on the peer and start from that file and offset.
    const [status] = await withRoot(link.master, (c) => queryRows(c, "SHOW MASTER STATUS"));
    if (!status) throw new Error(`${link.masterAlias}: SHOW MASTER STATUS is empty (is log_bin on?)`);
    position = [
      `MASTER_LOG_FILE=${literal(String(status.File))}`,
      `MASTER_LOG_POS=${Number(status.Position)}`,
    ];
  }
  await withRoot(link.replica, async (c) => {
    await c.query("STOP SLAVE");
    await c.query(`CHANGE MASTER TO ${[...common, ...position].join(", ")}`);
    await c.query("START SLAVE");
  });
}

export async function slaveState(db: DbEndpoint): Promise<ReplicaState | undefined> {
  const [row] = await withRoot(db, (c) => queryRows(c, "SHOW SLAVE STATUS"));
  if (!row) return undefined;
  return {
    ioRunning: String(row.Slave_IO_Running),
    sqlRunning: String(row.Slave_SQL_Running),
    lastIoError: String(row.Last_IO_Error ?? ""),
    lastSqlErrno: Number(row.Last_SQL_Errno ?? 0),
    lastSqlError: String(row.Last_SQL_Error ?? ""),
    secondsBehindMaster: row.Seconds_Behind_Master === null ? null : Number(row.Seconds_Behind_Master),
    connectRetry: Number(row.Connect_Retry),
    usingGtid: String(row.Using_Gtid ?? "No"),
  };
}

/**
 * Sets how many seconds `db`'s replica waits before applying each event (`MASTER_DELAY`), keeping
 * its master and position: the replica stops, is changed and starts again.
 */
export async function setReplicaDelay(db: DbEndpoint, seconds: number): Promise<void> {
  await withRoot(db, async (c) => {
    await c.query("STOP SLAVE");
    await c.query(`CHANGE MASTER TO MASTER_DELAY=${Math.trunc(seconds)}`);
    await c.query("START SLAVE");
  });
}

/** Waits until both slave threads run on `db`; the timeout message carries the last error seen. */
export async function waitReplicating(
  db: DbEndpoint,
  name: string,
  timeoutMs: number,
): Promise<ReplicaState> {
  return waitUntil(
    `${name}: replication threads running`,
    async () => {
      const s = await slaveState(db);
      if (!s) throw new Error("no replication configured");
      if (s.ioRunning === "Yes" && s.sqlRunning === "Yes") return s;
      throw new Error(`IO=${s.ioRunning} SQL=${s.sqlRunning} ${s.lastIoError} ${s.lastSqlError}`.trim());
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * The operator's repair of a stopped SQL thread: skip the one conflicting event group and restart
 * replication. The data stays different (the skipped row is missing on this side); only the alert
 * and the thread state recover, which is what a drill times.
 */
export async function skipConflictingEvent(db: DbEndpoint): Promise<void> {
  await withRoot(db, async (c) => {
    await c.query("STOP SLAVE");
    await c.query("SET GLOBAL sql_slave_skip_counter = 1");
    await c.query("START SLAVE");
  });
}

/**
 * The operator's repair of a replica that has not noticed its master came back (a stale connection
 * the seed's 60 s `slave_net_timeout` keeps for up to a minute): restart its IO thread, which
 * reconnects at once and reads on from where it stopped.
 */
export async function restartIoThread(db: DbEndpoint): Promise<void> {
  await withRoot(db, async (c) => {
    await c.query("STOP SLAVE IO_THREAD");
    await c.query("START SLAVE IO_THREAD");
  });
}
