import { serverNames, service, topology, type NodeName, type ServerName } from "../topology/topology.ts";
import type { FaultScope } from "./fault-kind.ts";
import { needTarget } from "./fault-kind.ts";

// The targets of the faults that shape traffic (loss, bandwidth, latency): one service, by alias, or
// a whole server, by name, whose links to its peers are then shaped.

/** Every server and every service that runs. */
export const shapingTargets: readonly string[] = [
  ...serverNames,
  ...topology.filter((s) => s.image !== undefined).map((s) => s.alias),
];

const isServer = (t: string) => (serverNames as readonly string[]).includes(t);

export const shapingScope = (t: string | null): FaultScope =>
  isServer(needTarget("shaping", t)) ? "server" : "service";

/** The server shaped, or the one the shaped service runs on. */
export function shapedServer(t: string | null): ServerName[] {
  const on = needTarget("shaping", t);
  return [isServer(on) ? (on as ServerName) : service(on).server];
}

/**
 * Shaping degrades a link; it takes no node off the request path by itself (a 100 % loss would, and
 * is then better written as a partition), so it explains no failed request.
 */
export const shapingTakesOff = (): NodeName[] => [];
