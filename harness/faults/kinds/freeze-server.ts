import type { ServerName } from "../../topology/topology.ts";
import type { Fault } from "../fault.ts";
import { serverFault, serverKind } from "../server-kind.ts";

/** A server hangs: every process frozen (the whole server paused, or each container), then thawed. */
export function freezeServer(server: ServerName): Fault {
  return serverFault(server, { verb: "freeze", needs: ["pause"], inject: "freeze", heal: "thaw" });
}

export default serverKind("freeze", freezeServer, {
  id: "freeze-server",
  summary: "every process of a server frozen (the engine's pause, or the whole server paused), then thawed",
  // No drill proves which alerts a freeze raises: not covered.
  exploreOrder: 2,
});
