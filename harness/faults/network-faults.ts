import type { Lab } from "../lab/lab.ts";
import { serverNames, service, servicesOn, type ServerName } from "../topology/topology.ts";
import { describe as describeError } from "../util/errors.ts";
import {
  answersSlowerThan,
  cannotConnect,
  peerAnswersSlowerThan,
  peerConnectsFail,
  peerThroughputAtMost,
  replicationStalled,
  someUnanswered,
  throughputAtMost,
} from "./effects.ts";
import { FaultUnsupportedError, type Capability, type Fault, type FaultEffect } from "./fault.ts";
import { targetOf } from "./fault-target.ts";
import type { NetFault, Scope } from "./net-plans.ts";

/**
 * One network fault, written once: what it does (`what`), carried out by the lab's fault target,
 * which turns it into nft / tc scripts at its own level and runs them (see fault-target.ts).
 */
function netFault(name: string, needs: Capability[], effect: FaultEffect, what: NetFault): Fault {
  return {
    name,
    needs,
    effect,
    inject: async (lab) => {
      const t = targetOf(lab);
      for (const step of await t.injectSteps(what)) {
        const r = await t.run(step.at, step.script);
        if (r.exitCode === 0) continue;
        if (what.kind === "latency")
          throw new FaultUnsupportedError(
            name,
            `this kernel has no netem qdisc (sch_netem): ${r.output.trim().split("\n")[0]}`,
          );
        throw new Error(`${step.why}: in ${t.describe(step.at)}: exit ${r.exitCode}: ${r.output.trim()}`);
      }
    },
    heal: (lab) => healSteps(lab, what),
  };
}

/** Every heal step runs, even past a failed one; the first failure is rethrown after the rest. */
async function healSteps(lab: Lab, what: NetFault): Promise<void> {
  const t = targetOf(lab);
  const results = await Promise.allSettled(
    t.healSteps(what).map(async (step) => {
      const r = await t.run(step.at, step.script, { heal: true });
      if (r.exitCode !== 0)
        throw new Error(`${step.why}: in ${t.describe(step.at)}: exit ${r.exitCode}: ${r.output.trim()}`);
    }),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw new Error(`heal: ${describeError(failed.reason)}`);
}

/** The first service of `services` that listens on a port, as the partition's effect target. */
function firstPort(server: ServerName): { alias: string; port: number } {
  const s = servicesOn(server).find((x) => x.image !== undefined && x.ports.length > 0);
  if (!s) throw new Error(`partition: ${server} has no service with a port to look at`);
  return { alias: s.alias, port: s.ports[0]! };
}

/**
 * Cuts traffic between two servers. `both`: nothing passes either way. `one-way`: `a` cannot open
 * connections to `b`, while `b` still reaches `a` and gets its replies (dropping every packet from a
 * to b would drop those replies too and cut both ways). E.g. node1's replica cannot pull from node2,
 * while node2's replica still pulls from node1.
 */
export function partition(a: ServerName, b: ServerName, direction: "both" | "one-way" = "both"): Fault {
  const to = firstPort(b);
  return netFault(
    direction === "both" ? `partition ${a} | ${b}` : `partition ${a} -> ${b}`,
    ["netadmin"],
    cannotConnect(a, to.alias, to.port),
    { kind: "partition", a, b, direction },
  );
}

/** Only replication is cut: node1's and node2's databases cannot reach each other; apps and HAProxy are untouched. */
export function splitReplication(): Fault {
  return netFault("split replication", ["netadmin"], replicationStalled(), { kind: "split-replication" });
}

/** A service alias, or a server's name for every service on it (and, on a multi-host lab, its link). */
function scopeOf(on: string): Scope {
  if ((serverNames as readonly string[]).includes(on)) return { server: on as ServerName };
  service(on);
  return { service: on };
}

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
