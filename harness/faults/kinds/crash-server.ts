import type { ServerName } from "../../topology/topology.ts";
import type { Fault } from "../fault.ts";
import { needTarget } from "../fault-kind.ts";
import { serverFault, serverKind } from "../server-kind.ts";

/**
 * A server crashes: every process gone at once, no shutdown, then it comes back with its services.
 * On a lab with servers it is powered off and on; on a single engine every container of the server
 * is killed (SIGKILL) and started again. Either way its services stop answering on their endpoints.
 */
export function crashServer(server: ServerName): Fault {
  return serverFault(server, { verb: "crash", needs: ["kill"], inject: "crash", heal: "recover" });
}

export default serverKind("crash", crashServer, {
  id: "crash-server",
  summary: "every process of a server gone at once, no shutdown (SIGKILL, or a power-off), then brought back",
  // crash-node1 proves it: the server's node exporter goes down with it.
  alerts: (t) => [{ name: "ServerDown", labels: { server: needTarget("crash-server", t) } }],
  exploreOrder: 1,
});
