import type { Mutant } from "./mutant.ts";
import { mariadbMutant, profileMutant } from "./mutant-builders.ts";

/** MariaDB (hardened `mariadb.cnf`), its replication (set up by the harness) and the exporter's grants. */
export const databaseMutants: readonly Mutant[] = [
  mariadbMutant(
    {
      id: "mariadb-slave-net-timeout-default",
      title: "slave_net_timeout back to its 60 s default",
      layer: "mariadb",
      profile: "hardened",
      why: "The operator drops `slave_net_timeout = 4` as an odd-looking tweak, so a replica whose link silently drops packets waits 60 s before it notices.",
      // A 10 s split then never stops an IO thread: the replication alert the drill expects stays silent.
      drills: [
        {
          drill: "split-replication",
          breaks: ['alert:ReplicationIOThreadStopped{node="node*"}#fires'],
        },
      ],
    },
    [/^slave_net_timeout = 4\n/m, ""],
  ),
  mariadbMutant(
    {
      id: "mariadb-ignore-item-table",
      title: "node2 ignores the item table in replication",
      layer: "mariadb",
      profile: "hardened",
      why: "The operator adds `replicate_ignore_table = todo.todo_item` on node2 (meant for a scratch table, or copied from another replica), so node2 silently never gets node1's items.",
      // The filter drops the table's CREATE too: node2 has no item table at all, or (created before the
      // filter) lacks node1's items. Either way node2 cannot show the acknowledged items.
      drills: [
        {
          drill: "split-replication",
          breaks: ["no-write-lost"],
        },
      ],
    },
    ["log_slave_updates = ON\n", "log_slave_updates = ON\nreplicate_ignore_table = todo.todo_item\n"],
    "node2",
  ),
  mariadbMutant(
    {
      id: "mariadb-skip-duplicate-key",
      title: "Replicas skip duplicate-key errors (slave_skip_errors = 1062)",
      layer: "mariadb",
      profile: "hardened",
      why: "Tired of replication stopping on error 1062, the operator sets `slave_skip_errors = 1062`, so a split-brain conflict no longer stops anything and the replicas diverge in silence.",
      drills: [
        {
          drill: "split-brain-conflict",
          breaks: ["conflict-reported"],
        },
      ],
    },
    ["log_slave_updates = ON\n", "log_slave_updates = ON\nslave_skip_errors = 1062\n"],
  ),
  mariadbMutant(
    {
      id: "mariadb-same-auto-increment-offset",
      title: "Both nodes hand out the same ids (auto_increment_offset = 1 on node2 too)",
      layer: "mariadb",
      profile: "hardened",
      why: "The operator sets node2 up from a copy of node1's mariadb.cnf and changes only `server_id`, so both masters give new rows the same odd ids, which collide once both took writes the other had not seen.",
      // Only two faults together show it: with replication split, node1's new rows do not reach node2;
      // node1 then crashes and node2, serving, reuses their ids. No single fault does: a crash alone
      // leaves node2 with node1's rows, a split alone leaves node2 without writes. The explorer found
      // and shrank it to this schedule (harness/explore/found/).
      drills: [
        {
          drill: "split-replication-while-crash-node1",
          breaks: ["replication-healthy#replication-conflict"],
        },
      ],
    },
    ["auto_increment_offset = 2\n", "auto_increment_offset = 1\n"],
    "node2",
  ),
  profileMutant(
    {
      id: "replication-connect-retry-60",
      title: "Replicas retry a lost master every 60 s (MASTER_CONNECT_RETRY=60)",
      layer: "replication",
      profile: "hardened",
      why: "The operator leaves `MASTER_CONNECT_RETRY` at the tutorial's 60 s, so a replica that lost its master during an outage catches up a minute after the master is back.",
      // node2 loses node1 in the crash and waits out the retry: node1's writes after failback reach it late.
      drills: [{ drill: "crash-node1", breaks: ["converged"] }],
    },
    (p) => {
      if (p.replication.connectRetrySeconds !== 1)
        throw new Error(
          `replication-connect-retry-60: the profile retries every ${p.replication.connectRetrySeconds} s, not 1 s: update the mutant`,
        );
      return { ...p, replication: { ...p.replication, connectRetrySeconds: 60 } };
    },
  ),
  profileMutant(
    {
      id: "exporter-no-slave-monitor",
      title: "The exporter's grants lack SLAVE MONITOR",
      layer: "exporter",
      profile: "hardened",
      why: "The operator grants the exporter `PROCESS, REPLICATION CLIENT, SELECT` as older guides (and the original stack, on 10.3) say; on MariaDB 10.11 `SHOW SLAVE STATUS` needs `SLAVE MONITOR`, so no replication metric exists while `mysql_up` still says 1.",
      drills: [
        {
          drill: "split-replication",
          breaks: ['alert:ReplicationIOThreadStopped{node="node*"}#fires'],
        },
      ],
    },
    (p) => {
      if (!p.exporterGrants.includes("SLAVE MONITOR"))
        throw new Error(
          "exporter-no-slave-monitor: the profile does not grant SLAVE MONITOR: update the mutant",
        );
      return { ...p, exporterGrants: p.exporterGrants.filter((g) => g !== "SLAVE MONITOR") };
    },
  ),
];
