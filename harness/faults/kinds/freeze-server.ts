import type { ServerName } from "../../topology/topology.ts";
import type { Fault } from "../fault.ts";
import { serverFault, serverKind, type ServerFaultSteps } from "../server-kind.ts";

const freeze: ServerFaultSteps = {
  verb: "freeze",
  needs: "pause",
  inject: (target, server) => target.freeze(server),
  heal: (target, server) => target.thaw(server),
};

/** A server hangs: every process frozen (the whole server paused, or each container), then thawed. */
export function freezeServer(server: ServerName): Fault {
  return serverFault(server, freeze);
}

export default serverKind(
  {
    id: "freeze-server",
    summary: "every process of a server frozen (the engine's pause, or the whole server paused), then thawed",
    // No drill proves which alerts a freeze raises: not covered.
    exploreOrder: 2,
  },
  freeze,
);
