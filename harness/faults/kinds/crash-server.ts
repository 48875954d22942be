import { nodeNames, type NodeName, type ServerName } from "../../topology/topology.ts";
import { unanswered } from "../effects/unanswered.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { targetOf } from "../lab-target.ts";
import { aliasesOn } from "../net-plans.ts";
import { offPathWithServer } from "../request-path.ts";

/**
 * A server crashes: every process gone at once, no shutdown, then it comes back with its services.
 * On a lab with servers it is powered off and on; on a single engine every container of the server
 * is killed (SIGKILL) and started again. Either way its services stop answering on their endpoints.
 */
export function crashServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `crash ${server}`,
    needs: ["kill"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => targetOf(lab).crash(server),
    heal: (lab) => targetOf(lab).recover(server),
  };
}

export default defineFaultKind({
  id: "crash-server",
  summary: "every process of a server gone at once, no shutdown (SIGKILL, or a power-off), then brought back",
  scope: () => "server",
  targets: nodeNames,
  name: (t) => `crash ${t}`,
  build: (t) => crashServer(needTarget("crash-server", t) as ServerName),
  servers: (t) => [needTarget("crash-server", t) as ServerName],
  takesOff: offPathWithServer,
  // crash-node1 proves it: the server's node exporter goes down with it.
  alerts: (t) => [{ name: "ServerDown", labels: { server: needTarget("crash-server", t) } }],
  simulate: (t) => ({ server: t as NodeName }),
  exploreOrder: 1,
});
