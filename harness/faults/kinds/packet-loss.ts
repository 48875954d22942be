import { z } from "zod";
import { peerConnectsFail } from "../effects/between-servers.ts";
import { someUnanswered } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget, paramsOf } from "../fault-kind.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapedServer, shapingScope, shapingTakesOff, shapingTargets } from "../shaping-targets.ts";

/**
 * Drops a share of TCP packets, both ways (nft `numgen random`): of one service (`alias`), or of a
 * whole server (a server's name), whose links to its peers then lose them.
 */
export function packetLoss(on: string, percent: number): Fault {
  const scope = scopeOf(on);
  if (!(percent > 0 && percent <= 100)) throw new Error(`packet loss must be in (0, 100], not ${percent}`);
  return netFault(
    `lose ${percent}% of ${on}'s packets`,
    ["netadmin"],
    "server" in scope ? peerConnectsFail(scope.server) : someUnanswered(on),
    { kind: "loss", on: scope, percent },
  );
}

const Params = z.object({ percent: z.number().gt(0).max(100) });

export default defineFaultKind({
  id: "packet-loss",
  summary: "a share of a service's or a server's TCP packets dropped both ways (nft numgen random)",
  scope: shapingScope,
  targets: shapingTargets,
  params: Params,
  name: (t, p) =>
    `lose ${paramsOf("packet-loss", Params, p).percent}% of ${needTarget("packet-loss", t)}'s packets`,
  build: (t, p) => packetLoss(needTarget("packet-loss", t), paramsOf("packet-loss", Params, p).percent),
  servers: shapedServer,
  takesOff: shapingTakesOff,
});
