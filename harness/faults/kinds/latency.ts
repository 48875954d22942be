import { z } from "zod";
import { peerAnswersSlowerThan } from "../effects/between-servers.ts";
import { answersSlowerThan } from "../effects/service-shaping.ts";
import type { Fault } from "../fault.ts";
import { netFault, scopeOf } from "../net-fault.ts";
import { shapingKind } from "../shaping-kind.ts";

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

export default shapingKind({
  id: "latency",
  summary: "a service's or a server's packets delayed (tc netem; skipped where the kernel lacks sch_netem)",
  params: z.object({ delayMs: z.number().gt(0) }),
  name: (on, p) => `delay ${on} by ${p.delayMs} ms`,
  build: (on, p) => latency(on, p.delayMs),
});
