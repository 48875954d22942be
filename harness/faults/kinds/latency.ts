import { z } from "zod";
import { peerAnswersSlowerThan } from "../effects/between-servers.ts";
import { answersSlowerThan } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget, paramsOf } from "../fault-kind.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapedServer, shapingScope, shapingTakesOff, shapingTargets } from "../shaping-targets.ts";

/**
 * Adds latency with netem to one service or a whole server; where the kernel has no sch_netem the
 * fault is unsupported (FaultUnsupportedError) and the drill is skipped with that reason.
 */
export function latency(on: string, delayMs: number): Fault {
  const scope = scopeOf(on);
  if (!(delayMs > 0)) throw new Error(`latency must be positive, not ${delayMs}`);
  return netFault(
    `delay ${on} by ${delayMs} ms`,
    ["netadmin", "netem"],
    "server" in scope ? peerAnswersSlowerThan(scope.server, delayMs) : answersSlowerThan(on, delayMs),
    { kind: "latency", on: scope, delayMs },
  );
}

const Params = z.object({ delayMs: z.number().gt(0) });

export default defineFaultKind({
  id: "latency",
  summary: "a service's or a server's packets delayed (tc netem; skipped where the kernel lacks sch_netem)",
  scope: shapingScope,
  targets: shapingTargets,
  params: Params,
  name: (t, p) => `delay ${needTarget("latency", t)} by ${paramsOf("latency", Params, p).delayMs} ms`,
  build: (t, p) => latency(needTarget("latency", t), paramsOf("latency", Params, p).delayMs),
  servers: shapedServer,
  takesOff: shapingTakesOff,
});
