import { queryRows, withRoot } from "../../db/sql.ts";
import type { DbEndpoint } from "../../lab/lab.ts";
import { within } from "../../probes/db-state.ts";
import { nodeNames, type NodeName } from "../../topology/topology.ts";
import type { FaultEffect } from "../fault.ts";
import { LOOK_MS } from "./unanswered.ts";
import { before, type BinlogPos } from "./replication-stalled.ts";

/**
 * `node`'s replica holds back what its master wrote: a second (`stallMs`) after the master was at a
 * position, the replica has not executed past it (received or not). Unseen while the master writes
 * nothing (the backup takes no traffic until a failover) and while either database is down.
 */
export function replicaBehind(node: NodeName, stallMs = 1000): FaultEffect {
  const master = nodeNames.find((n) => n !== node)!;
  return {
    description: `${node}'s replica applies nothing new from ${master}`,
    watch: (lab) => {
      const dbs = lab.endpoints.nodes;
      const seen: { at: number; own: BinlogPos }[] = [];
      return async () => {
        const at = performance.now();
        const [own, executed] = await Promise.all([
          masterPos(dbs[master].db),
          executedPos(dbs[node].db),
        ]).catch(() => [undefined, undefined] as const);
        if (!own || !executed) return undefined;
        seen.push({ at, own });
        const old = seen.filter((s) => at - s.at >= stallMs).at(-1);
        if (old && before(executed, old.own))
          return `${node} had executed ${master}'s binlog only to ${executed.file}:${executed.pos} ${((at - old.at) / 1000).toFixed(1)} s after ${master} was at ${old.own.file}:${old.own.pos}`;
        return undefined;
      };
    },
  };
}

async function masterPos(db: DbEndpoint): Promise<BinlogPos | undefined> {
  const [m] = await within(
    LOOK_MS,
    "reading the master's position",
    withRoot(db, (c) => queryRows(c, "SHOW MASTER STATUS")),
  );
  return m ? { file: String(m.File), pos: Number(m.Position) } : undefined;
}

async function executedPos(db: DbEndpoint): Promise<BinlogPos | undefined> {
  const [s] = await within(
    LOOK_MS,
    "reading the replica's position",
    withRoot(db, (c) => queryRows(c, "SHOW SLAVE STATUS")),
  );
  return s ? { file: String(s.Relay_Master_Log_File), pos: Number(s.Exec_Master_Log_Pos) } : undefined;
}
