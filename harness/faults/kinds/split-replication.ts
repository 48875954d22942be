import { replicationStalled } from "../effects/replication-stalled.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind } from "../fault-kind.ts";
import { netFault } from "../net-fault.ts";

/** Only replication is cut: node1's and node2's databases cannot reach each other; apps and HAProxy are untouched. */
export function splitReplication(): Fault {
  return netFault("split replication", ["netadmin"], replicationStalled(), { kind: "split-replication" });
}

export default defineFaultKind({
  id: "split-replication",
  summary: "node1's and node2's databases cut from each other (replication only), then joined again",
  scope: () => "link",
  targets: [null],
  name: () => "split replication",
  build: () => splitReplication(),
  servers: () => ["node1", "node2"],
  // The apps and HAProxy are untouched: no node leaves the request path.
  takesOff: () => [],
  // split-replication proves it: both IO threads stop.
  alerts: () =>
    (["node1", "node2"] as const).map((node) => ({ name: "ReplicationIOThreadStopped", labels: { node } })),
  exploreOrder: 4,
});
