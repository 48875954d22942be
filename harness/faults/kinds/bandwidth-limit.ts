import { z } from "zod";
import { peerThroughputAtMost } from "../effects/between-servers.ts";
import { throughputAtMost } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapingKind } from "../shaping-kind.ts";

/** Limits the egress bandwidth of one service or a whole server with a token bucket (tbf). */
export function bandwidthLimit(on: string, kbitPerSecond: number): Fault {
  const scope = scopeOf(on);
  if (!(kbitPerSecond > 0)) throw new Error(`bandwidth must be positive, not ${kbitPerSecond}`);
  return netFault(
    `limit ${on} to ${kbitPerSecond} kbit/s`,
    ["netadmin"],
    "server" in scope
      ? peerThroughputAtMost(scope.server, kbitPerSecond)
      : throughputAtMost(on, kbitPerSecond),
    { kind: "bandwidth", on: scope, kbitPerSecond },
  );
}

export default shapingKind({
  id: "bandwidth-limit",
  summary: "a service's or a server's egress limited by a token bucket (tc tbf)",
  params: z.object({ kbitPerSecond: z.number().gt(0) }),
  name: (on, p) => `limit ${on} to ${p.kbitPerSecond} kbit/s`,
  build: (on, p) => bandwidthLimit(on, p.kbitPerSecond),
});
