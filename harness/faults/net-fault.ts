import type { Lab } from "../lab/lab.ts";
import { serverNames, service, servicesOn, type ServerName } from "../topology/topology.ts";
import { describe as describeError } from "../util/errors.ts";
import { FaultUnsupportedError, type Capability, type Fault, type FaultEffect } from "./fault.ts";
import { targetOf } from "./lab-target.ts";
import type { NetFault, Scope } from "./net-plans.ts";

/**
 * One network fault, written once: what it does (`what`), carried out by the lab's fault target,
 * which turns it into nft / tc scripts at its own level and runs them (see fault-target.ts).
 */
export function netFault(name: string, needs: Capability[], effect: FaultEffect, what: NetFault): Fault {
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
export function firstPort(server: ServerName): { alias: string; port: number } {
  const s = servicesOn(server).find((x) => x.image !== undefined && x.ports.length > 0);
  if (!s) throw new Error(`partition: ${server} has no service with a port to look at`);
  return { alias: s.alias, port: s.ports[0]! };
}

/** A service alias, or a server's name for every service on it (and, on a multi-host lab, its link). */
export function scopeOf(on: string): Scope {
  if ((serverNames as readonly string[]).includes(on)) return { server: on as ServerName };
  service(on);
  return { service: on };
}
