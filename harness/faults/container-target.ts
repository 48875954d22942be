import type Docker from "dockerode";
import type { Lab } from "../lab/lab.ts";
import { service, serverNames, type ServerName } from "../topology/topology.ts";
import { describe as describeError } from "../util/errors.ts";
import type { Capability } from "./fault.ts";
import type { FaultTarget, ScriptResult } from "./fault-target.ts";
import { lacksOnce } from "./lacks-once.ts";
import { engineOf, inNetns, inScratchNetns } from "./netadmin.ts";
import { containerHeal, containerInject, containersAddressed } from "./container-net-plan.ts";
import { aliasesOn, type Place } from "./net-plans.ts";

/** The engine answers 304 when a container is already in the wanted state: that is success here. */
export async function tolerate304(p: Promise<unknown>): Promise<void> {
  await p.catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 304) throw err;
  });
}

/** Databases first when starting: the apps wait for theirs. */
export const startOrder = (aliases: readonly string[]) => [...aliases].sort((a, b) => rank(a) - rank(b));
const rank = (alias: string) => (service(alias).kind === "db" ? 0 : 1);

/**
 * A single-engine lab's fault target: a server is the set of its containers. What firedrill has
 * always done, kept as it was: SIGKILL and start, the engine's pause, and nft / tc in each
 * container's own network namespace through the netadmin helper, on the engine that runs it.
 */
export function containerTarget(lab: Lab): FaultTarget {
  const serviceOf = (at: Place) => {
    if (!("service" in at))
      throw new Error(`a single-engine lab has no shell on server ${at.server}: its plan runs in containers`);
    return at.service;
  };
  return {
    level: "containers",
    lacks: lacksOnce((need) => lacks(lab, need)),
    async crash(server) {
      await Promise.all(
        aliasesOn(server).map((a) => tolerate304(lab.container(a).kill({ signal: "SIGKILL" }))),
      );
    },
    async recover(server) {
      for (const a of startOrder(aliasesOn(server))) await tolerate304(lab.container(a).start());
    },
    async freeze(server) {
      await Promise.all(aliasesOn(server).map((a) => tolerate304(lab.container(a).pause())));
    },
    async thaw(server) {
      await Promise.all(
        aliasesOn(server).map(async (a) => {
          if ((await lab.container(a).inspect()).State.Paused) await lab.container(a).unpause();
        }),
      );
    },
    async injectSteps(f) {
      const aliases = containersAddressed(f);
      const ips = new Map(await Promise.all(aliases.map(async (a) => [a, await lab.ipOf(a)] as const)));
      return containerInject(f, (a) => {
        const ip = ips.get(a);
        if (!ip) throw new Error(`no address looked up for ${a}`);
        return ip;
      });
    },
    healSteps: (f) => containerHeal(f),
    async run(at, script, o): Promise<ScriptResult> {
      const alias = serviceOf(at);
      // A crashed or stopped container has no namespace left, and so no rules: nothing to heal there.
      if (o?.heal && !(await lab.container(alias).inspect()).State.Running)
        return { exitCode: 0, output: `${alias} is not running: nothing to remove` };
      return inNetns(lab, alias, script);
    },
    reach: async (alias, port) => ({ host: await lab.ipOf(alias), port }),
    probeFrom: (server) => ({ service: aliasesOn(server)[0]! }),
    describe: (at) => ("service" in at ? `${at.service}'s network namespace` : `server ${at.server}`),
  };
}

/** One engine per server at most (a lab on several engines, e.g. the existing provider's). */
function enginesOf(lab: Lab): { server: ServerName; engine: Docker }[] {
  const seen = new Set<Docker>();
  const out: { server: ServerName; engine: Docker }[] = [];
  for (const server of serverNames) {
    const alias = aliasesOn(server)[0];
    if (!alias) continue;
    const engine = engineOf(lab, alias);
    if (seen.has(engine)) continue;
    seen.add(engine);
    out.push({ server, engine });
  }
  return out;
}

async function lacks(lab: Lab, need: Capability): Promise<string | undefined> {
  switch (need) {
    // Every container engine kills, stops, starts and pauses.
    case "kill":
    case "pause":
      return undefined;
    case "netadmin": {
      const missing = await Promise.all(
        enginesOf(lab).map(async ({ server, engine }) => {
          try {
            await engine.getImage(lab.netadminImage).inspect();
            return undefined;
          } catch (err) {
            return `the network-admin helper image ${lab.netadminImage} is not on ${server}'s engine (${describeError(err).split("\n")[0]})`;
          }
        }),
      );
      return missing.find((m) => m !== undefined);
    }
    case "netem": {
      // The kernel is the engine host's: a qdisc on the loopback of a scratch namespace says whether
      // it has netem, without touching the lab. This machine's kernel, for one, does not.
      const lack = await lacks(lab, "netadmin");
      if (lack !== undefined) return lack;
      for (const { server, engine } of enginesOf(lab)) {
        const r = await inScratchNetns(lab, engine, "tc qdisc add dev lo root netem delay 1ms");
        if (r.exitCode !== 0)
          return `this kernel has no netem qdisc (sch_netem): ${r.output.trim().split("\n")[0]}${enginesOf(lab).length > 1 ? ` (${server}'s engine)` : ""}`;
      }
      return undefined;
    }
  }
}
