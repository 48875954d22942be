import { nodeNames, type NodeName, type ServerName } from "../../topology/topology.ts";
import { unanswered } from "../effects/unanswered.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { targetOf } from "../lab-target.ts";
import { aliasesOn } from "../net-plans.ts";
import { offPathWithServer } from "../request-path.ts";

/** A server hangs: every process frozen (the whole server paused, or each container), then thawed. */
export function freezeServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `freeze ${server}`,
    needs: ["pause"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => targetOf(lab).freeze(server),
    heal: (lab) => targetOf(lab).thaw(server),
  };
}

export default defineFaultKind({
  id: "freeze-server",
  summary: "every process of a server frozen (the engine's pause, or the whole server paused), then thawed",
  scope: () => "server",
  targets: nodeNames,
  name: (t) => `freeze ${t}`,
  build: (t) => freezeServer(needTarget("freeze-server", t) as ServerName),
  servers: (t) => [needTarget("freeze-server", t) as ServerName],
  takesOff: offPathWithServer,
  // No drill proves which alerts a freeze raises: not covered.
  simulate: (t) => ({ server: t as NodeName }),
  exploreOrder: 2,
});
