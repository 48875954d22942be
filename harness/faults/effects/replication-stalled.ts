import { queryRows, withRoot } from "../../db/sql.ts";
import type { DbEndpoint } from "../../lab/lab.ts";
import { within } from "../../probes/db-state.ts";
import type { NodeName } from "../../topology/topology.ts";
import type { FaultEffect } from "../fault.ts";
import { LOOK_MS } from "./unanswered.ts";

/** A position in a master's binary log. */
export interface BinlogPos {
  file: string;
  pos: number;
}
/** Whether binary log position `a` comes before `b`. */
export const before = (a: BinlogPos, b: BinlogPos) => a.file < b.file || (a.file === b.file && a.pos < b.pos);

async function positions(db: DbEndpoint) {
  return within(
    LOOK_MS,
    "reading binlog positions",
    withRoot(db, async (c) => {
      const [m] = await queryRows(c, "SHOW MASTER STATUS");
      const [s] = await queryRows(c, "SHOW SLAVE STATUS");
      return {
        own: m ? { file: String(m.File), pos: Number(m.Position) } : undefined,
        read: s ? { file: String(s.Master_Log_File), pos: Number(s.Read_Master_Log_Pos) } : undefined,
        io: s ? String(s.Slave_IO_Running) : "not configured",
      };
    }),
  );
}

/**
 * Replication between node1 and node2 stopped carrying writes: a replica's IO thread is not
 * running, or it has not even read what its master had written a second (`stallMs`) earlier.
 * Seen the same way with GTID or file-and-position replication, and with the 60 s
 * `slave_net_timeout` of the seed, whose IO threads go on saying "Yes" through a 10 s split.
 */
export function replicationStalled(stallMs = 1000): FaultEffect {
  return {
    description: "replication between node1 and node2 stops carrying writes",
    watch: (lab) => {
      const nodes = { node1: lab.endpoints.nodes.node1.db, node2: lab.endpoints.nodes.node2.db };
      // Each master's own position over time: a replica behind an old one is stalled, not slow.
      const seen: { at: number; own: Record<NodeName, BinlogPos | undefined> }[] = [];
      return async () => {
        const at = performance.now();
        const [p1, p2] = await Promise.all([positions(nodes.node1), positions(nodes.node2)]).catch(
          () => [undefined, undefined] as const,
        );
        if (!p1 || !p2) return undefined;
        for (const [replica, p] of [
          ["node1", p1],
          ["node2", p2],
        ] as const)
          if (p.io !== "Yes") return `${replica}'s replication IO thread is ${p.io}`;
        seen.push({ at, own: { node1: p1.own, node2: p2.own } });
        const old = seen.filter((s) => at - s.at >= stallMs).at(-1);
        if (!old) return undefined;
        for (const [replica, master, read] of [
          ["node1", "node2", p1.read],
          ["node2", "node1", p2.read],
        ] as const) {
          const target = old.own[master];
          if (target && read && before(read, target))
            return `${replica} had not read ${master}'s binlog past ${read.file}:${read.pos} ${((at - old.at) / 1000).toFixed(1)} s after ${master} was at ${target.file}:${target.pos}`;
        }
        return undefined;
      };
    },
  };
}
