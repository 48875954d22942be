import { serverNames, type ServerName } from "../../topology/topology.ts";
import { cannotConnect } from "../effects/between-servers.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { firstPort, netFault } from "../net-fault.ts";
import { offPathWithLink } from "../request-path.ts";

/**
 * Cuts traffic between two servers. `both`: nothing passes either way. `one-way`: `a` cannot open
 * connections to `b`, while `b` still reaches `a` and gets its replies (dropping every packet from a
 * to b would drop those replies too and cut both ways). E.g. node1's replica cannot pull from node2,
 * while node2's replica still pulls from node1.
 */
export function partition(a: ServerName, b: ServerName, direction: "both" | "one-way" = "both"): Fault {
  const to = firstPort(b);
  return netFault(
    direction === "both" ? `partition ${a} | ${b}` : `partition ${a} -> ${b}`,
    ["netadmin"],
    cannotConnect(a, to.alias, to.port),
    { kind: "partition", a, b, direction },
  );
}

// Partitions are both ways, so a pair is unordered: one spelling per pair, in topology order, keeps
// "node1|node2" and "node2|node1" from being two targets for one cut.
const pairs: string[] = serverNames.flatMap((a, i) => serverNames.slice(i + 1).map((b) => `${a}|${b}`));
const ends = (t: string | null) => needTarget("partition", t).split("|") as [ServerName, ServerName];

export default defineFaultKind({
  id: "partition",
  summary: "two servers cut from each other both ways (nft drop on each end), then joined again",
  scope: () => "link",
  targets: pairs,
  name: (t) => `partition ${ends(t).join(" | ")}`,
  build: (t) => partition(...ends(t)),
  servers: ends,
  takesOff: (t) => offPathWithLink(...ends(t)),
  // No drill proves which alerts a partition raises: not covered.
  exploreOrder: 5,
});
