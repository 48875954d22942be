import type { ServerName } from "../topology/topology.ts";
import type { Capability } from "./fault.ts";
import type { NetFault, NetStep, Place } from "./net-plans.ts";

export interface ScriptResult {
  exitCode: number;
  output: string;
}

/**
 * The *how* of a fault: what a lab can do to its servers and their links. A fault says what it does
 * (crash node1, partition control2 from node1, cut replication, shape a link) through this, once;
 * each lab answers through one of two implementations:
 *
 * - `containerTarget`: a single-engine lab, where a server is the set of its containers. Crash is
 *   SIGKILL to each, freeze is the engine's pause, nft and tc run in each container's own network
 *   namespace (a netadmin helper) and match the containers' addresses on the lab network.
 * - `serverTarget`: a lab with real servers (`Lab.servers`: machines, VMs). Crash is a power-off,
 *   freeze pauses the whole server, nft and tc run as root on the server and match the peer
 *   SERVER's address and published ports; a service's own shaping runs in its namespace (nsenter).
 */
export interface FaultTarget {
  readonly level: "containers" | "servers";
  /** Why this lab cannot do what `need` names, or undefined when it can. Asked once per lab. */
  lacks(need: Capability): Promise<string | undefined>;
  /** Every process of `server` gone at once, no shutdown. */
  crash(server: ServerName): Promise<void>;
  /**
   * The repair of a crash, idempotent: the containers started again (databases first), or the
   * server powered on again (its engine brings its services back, as ServerAccess promises).
   */
  recover(server: ServerName): Promise<void>;
  /** Every process of `server` frozen, and thawed again; `thaw` is idempotent. */
  freeze(server: ServerName): Promise<void>;
  thaw(server: ServerName): Promise<void>;
  /** The scripts that inject a network fault at this level (addresses looked up now). */
  injectSteps(f: NetFault): Promise<NetStep[]>;
  /** The scripts that heal it; they need no address, so they work whatever state the lab is in. */
  healSteps(f: NetFault): NetStep[];
  /**
   * Runs a root script at a place. With `heal`, a place that is gone (a stopped container) is
   * skipped: it has no rules left to remove.
   */
  run(at: Place, script: string, o?: { heal?: boolean }): Promise<ScriptResult>;
  /** Where a peer connects to reach `alias`'s container port `port` at this level. */
  reach(alias: string, port: number): Promise<{ host: string; port: number }>;
  /** Where a probe "from `server`" runs: its shell, or the namespace of its first container. */
  probeFrom(server: ServerName): Place;
  /** How a place reads in messages ("haproxy's network namespace", "server node1"). */
  describe(at: Place): string;
}
