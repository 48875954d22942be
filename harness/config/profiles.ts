import { z } from "zod";

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
  /** Extra environment of the app: the hardened app gives up on a dead database sooner. */
  readonly appEnv: Readonly<Record<string, string>>;
}

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  seed: {
    name: "seed",
    replication: { mode: "file-pos", connectRetrySeconds: 60 },
    // The original's words (PROCESS, REPLICATION CLIENT, SELECT) let its exporter read SHOW SLAVE
    // STATUS on MariaDB 10.3; on 10.11 that right is SLAVE MONITOR, so the seed names it to see what
    // the original's exporter saw (cluster/config/seed/FIDELITY.md).
    exporterGrants: ["PROCESS", "REPLICATION CLIENT", "SLAVE MONITOR", "SELECT"],
    appEnv: {},
  },
  hardened: {
    name: "hardened",
    replication: { mode: "gtid", connectRetrySeconds: 1 },
    exporterGrants: ["PROCESS", "REPLICATION CLIENT", "SLAVE MONITOR", "SELECT"],
    // A query on a pooled connection to a vanished database would otherwise hang 5 s.
    appEnv: { DB_CONNECT_TIMEOUT: "1", DB_READ_TIMEOUT: "2", DB_WRITE_TIMEOUT: "2" },
  },
};

export function parseProfile(value: string): ProfileName {
  const parsed = ProfileName.safeParse(value);
  if (!parsed.success) {
    throw new Error(`unknown profile "${value}"; use one of: ${profileNames.join(", ")}`);
  }
  return parsed.data;
}
