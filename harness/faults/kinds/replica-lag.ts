import { setReplicaDelay } from "../../db/replication.ts";
import { nodeNames, type NodeName } from "../../topology/topology.ts";
import { replicaBehind } from "../effects/replica-behind.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";

/**
 * How far behind the lagging replica applies (MASTER_DELAY): longer than any drill, so while the
 * fault is on the replica applies nothing its master writes; it still receives it.
 */
const DELAY_SECONDS = 3600;

/**
 * One node's replica lags: it receives its master's writes but applies none of them until the heal
 * (`MASTER_DELAY`), as a replica busy with a long transaction, a cold buffer pool or a slow disk
 * does. Kept across a restart of the database (the delay is part of the replica's settings), so a
 * node that comes back while it is on comes back behind.
 */
export function replicaLag(node: NodeName): Fault {
  const db = (lab: Parameters<Fault["inject"]>[0]) => lab.endpoints.nodes[node].db;
  return {
    name: `lag ${node}'s replica`,
    needs: [],
    effect: replicaBehind(node),
    inject: (lab) => setReplicaDelay(db(lab), DELAY_SECONDS),
    heal: (lab) => setReplicaDelay(db(lab), 0),
  };
}

export default defineFaultKind({
  id: "replica-lag",
  summary: "one node's replica receives its master's writes but applies none until the heal (MASTER_DELAY)",
  scope: () => "service",
  targets: [...nodeNames],
  name: (t) => `lag ${t}'s replica`,
  build: (t) => replicaLag(needTarget("replica-lag", t) as NodeName),
  servers: (t) => [needTarget("replica-lag", t) as NodeName],
  // The node still serves (what it serves is old): it leaves no request path.
  takesOff: () => [],
  // Not drawn by explore: a drill (rejoin-behind) places it around a restart.
});
