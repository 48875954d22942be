import { z } from "zod";
import type { NodeName } from "../topology/topology.ts";

export const profileNames = ["seed", "hardened"] as const;
export const ProfileName = z.enum(profileNames);
export type ProfileName = z.infer<typeof ProfileName>;

/**
 * What differs between the two profiles on the harness side. The stack's own settings live in
 * `cluster/config/<profile>/`; these are the parts the harness applies at run time (replication).
 */
export interface Profile {
  readonly name: ProfileName;
  readonly replication: {
    /** `file-pos`: CHANGE MASTER TO … MASTER_LOG_FILE/POS, as the original tutorial. `gtid`: MASTER_USE_GTID=slave_pos. */
    readonly mode: "file-pos" | "gtid";
    /** Seconds between a replica's reconnect attempts: the original's 60 makes a healed link catch up late. */
    readonly connectRetrySeconds: number;
  };
  /** Grants for the mysqld-exporter user. Without SLAVE MONITOR (10.11) no slave metrics appear. */
  readonly exporterGrants: readonly string[];
  /**
   * Grants the app user gets besides its database. The hardened rejoin guard reads SHOW SLAVE STATUS
   * from /healthz, which on 10.11 takes SLAVE MONITOR.
   */
  readonly appGrants: readonly string[];
  /**
   * Each node's `auto_increment_offset` (the increment is 2 on both): which node writes odd ids and
   * which even ones. The original gave node1 the even ones.
   */
  readonly autoIncrementOffset: Readonly<Record<NodeName, number>>;
  /** Collectors the mysqld-exporter runs besides its image's (defaults and slave status). */
  readonly exporterArgs: readonly string[];
  /** Extra environment of the app: the hardened app gives up on a dead database sooner. */
  readonly appEnv: Readonly<Record<string, string>>;
}

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  seed: {
    name: "seed",
    replication: { mode: "file-pos", connectRetrySeconds: 60 },
    // The original's words (PROCESS, REPLICATION CLIENT, SELECT) let its exporter read SHOW SLAVE
    // STATUS on MariaDB 10.3; on 10.11 that right is SLAVE MONITOR, so the seed names it to see what
    // the original's exporter saw (cluster/config/seed/FIDELITY.md). Its REPLICATION SLAVE let the
    // exporter's slave_hosts collector run SHOW SLAVE HOSTS; on 10.11 that is REPLICATION MASTER ADMIN.
    exporterGrants: ["PROCESS", "REPLICATION CLIENT", "SLAVE MONITOR", "REPLICATION MASTER ADMIN", "SELECT"],
    appGrants: [],
    // The original's replication.md: node1 `auto_increment_offset = 2`, node2 `= 1`.
    autoIncrementOffset: { node1: 2, node2: 1 },
    // The original's exporter command line (its README), slave status aside: the image runs that one.
    exporterArgs: [
      "--collect.info_schema.processlist",
      "--collect.info_schema.innodb_metrics",
      "--collect.info_schema.tablestats",
      "--collect.info_schema.tables",
      "--collect.info_schema.userstats",
      "--collect.engine_innodb_status",
      "--collect.slave_hosts",
    ],
    // The original's app: Django's development server, DEBUG on (`-e DEBUG=TRUE`), and 45 s for the
    // database to answer at start (`wait-for-it.sh … -t 45 &&`: after that it never starts). Its
    // settings.py is not known: the seed takes Django's default of no persistent connections, which
    // runserver needs (a thread per request would each leave one open: measured, 41 after 400 requests,
    // and HTTP 500s once max_connections was reached under load).
    appEnv: { APP_SERVER: "runserver", DEBUG: "TRUE", DB_WAIT_SECONDS: "45", DB_CONN_MAX_AGE: "0" },
  },
  hardened: {
    name: "hardened",
    replication: { mode: "gtid", connectRetrySeconds: 1 },
    exporterGrants: ["PROCESS", "REPLICATION CLIENT", "SLAVE MONITOR", "SELECT"],
    appGrants: ["SLAVE MONITOR"],
    autoIncrementOffset: { node1: 1, node2: 2 },
    exporterArgs: [],
    // A query on a pooled connection to a vanished database would otherwise hang 5 s. The rejoin guard
    // (cluster/app/todo/rejoin_guard.py) keeps a restarted node out of HAProxy's rotation until its
    // replica has caught up: without it, node1 back from a crash served reads without node2's writes.
    appEnv: { DB_CONNECT_TIMEOUT: "1", DB_READ_TIMEOUT: "2", DB_WRITE_TIMEOUT: "2", REJOIN_GUARD: "1" },
  },
};

export function parseProfile(value: string): ProfileName {
  const parsed = ProfileName.safeParse(value);
  if (!parsed.success) {
    throw new Error(`unknown profile "${value}"; use one of: ${profileNames.join(", ")}`);
  }
  return parsed.data;
}
