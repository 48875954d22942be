import { z } from "zod";
import { peerConnectsFail } from "../effects/between-servers.ts";
import { someUnanswered } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapingKind } from "../shaping-kind.ts";

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

export default shapingKind({
  id: "packet-loss",
  summary: "a share of a service's or a server's TCP packets dropped both ways (nft numgen random)",
  params: z.object({ percent: z.number().gt(0).max(100) }),
  name: (on, p) => `lose ${p.percent}% of ${on}'s packets`,
  build: (on, p) => packetLoss(on, p.percent),
});
