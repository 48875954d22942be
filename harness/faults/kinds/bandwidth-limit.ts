import { z } from "zod";
import { peerThroughputAtMost } from "../effects/between-servers.ts";
import { throughputAtMost } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget, paramsOf } from "../fault-kind.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapedServer, shapingScope, shapingTakesOff, shapingTargets } from "../shaping-targets.ts";

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

const Params = z.object({ kbitPerSecond: z.number().gt(0) });

export default defineFaultKind({
  id: "bandwidth-limit",
  summary: "a service's or a server's egress limited by a token bucket (tc tbf)",
  scope: shapingScope,
  targets: shapingTargets,
  params: Params,
  name: (t, p) =>
    `limit ${needTarget("bandwidth-limit", t)} to ${paramsOf("bandwidth-limit", Params, p).kbitPerSecond} kbit/s`,
  build: (t, p) =>
    bandwidthLimit(needTarget("bandwidth-limit", t), paramsOf("bandwidth-limit", Params, p).kbitPerSecond),
  servers: shapedServer,
  takesOff: shapingTakesOff,
});
