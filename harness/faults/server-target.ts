import type { Lab, ServerAccess } from "../lab/lab.ts";
import { service, serverNames, type ServerName } from "../topology/topology.ts";
import { describe as describeError } from "../util/errors.ts";
import type { Capability } from "./fault.ts";
import type { FaultTarget, ScriptResult } from "./fault-target.ts";
import { lacksOnce } from "./lacks-once.ts";
import type { NetFault, Place } from "./net-plans.ts";
import { serverHeal, serverInject } from "./server-net-plan.ts";

/** Single-quotes a word for sh. */
export const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A script in a container's network namespace, run from its server's root shell. */
export const nsenterScript = (pid: number, script: string) => `nsenter -t ${pid} -n sh -c ${shq(script)}`;

/** The tools server-level faults and their probes run on each server. */
const TOOLS = ["nft", "tc", "nsenter", "bash", "timeout"];

/**
 * A multi-host lab's fault target: the servers themselves, through `Lab.servers`. Crash powers a
 * server off (and on again), freeze pauses it, and the network faults' nft and tc run as root on
 * the server, matching the peer server's address and the ports its containers publish there
 * (server-net-plan.ts says where on the packet's way and why). A service's own loss or shaping runs
 * in its container's namespace, entered from its server's shell.
 */
export function serverTarget(lab: Lab, servers: ServerAccess): FaultTarget {
  const published = new Map<string, number>();

  /** The host port `alias`'s `port` is published on, from the container's configuration on its engine. */
  const publishedPort = async (alias: string, port: number): Promise<number> => {
    const key = `${alias}:${port}`;
    let p = published.get(key);
    if (p === undefined) {
      const bindings = (await lab.container(alias).inspect()).HostConfig.PortBindings as
        Record<string, { HostPort?: string }[] | null> | undefined;
      const host = Number(bindings?.[`${port}/tcp`]?.[0]?.HostPort);
      // Unpublished (or an engine that does not say): the natural choice, the container's own port.
      p = Number.isInteger(host) && host > 0 ? host : port;
      published.set(key, p);
    }
    return p;
  };

  /** A running container's main process, whose namespace nsenter joins; undefined when stopped. */
  const pidOf = async (alias: string): Promise<number | undefined> => {
    const st = (await lab.container(alias).inspect()).State;
    return st.Running && st.Pid > 0 ? st.Pid : undefined;
  };

  return {
    level: "servers",
    lacks: lacksOnce((need) => lacks(servers, need)),
    crash: (server) => servers.powerOff(server),
    // The repair is the power coming back: ServerAccess's power-on leaves the server's engine to
    // bring its containers back (restart policy, or the provider starting them), and the drill's
    // steady state after the heal proves they did. Waiting here for each of them (a round trip to
    // the server's engine apiece) would stamp the heal after services that had already returned,
    // and an alert resolved by them would look resolved before the heal.
    recover: (server) => servers.powerOn(server),
    freeze: (server) => servers.pause(server),
    async thaw(server) {
      try {
        await servers.resume(server);
      } catch (err) {
        // A heal may run twice, or after a freeze that never took: a server whose shell answers is
        // not frozen, and that is all a thaw wants. A frozen one cannot answer, so the error stands.
        const alive = await servers.exec(server, "true").then(
          (r) => r.exitCode === 0,
          () => false,
        );
        if (!alive) throw err;
      }
    },
    async injectSteps(f: NetFault) {
      const ports = new Map<string, number>();
      if (f.kind === "split-replication")
        for (const alias of ["node1-db", "node2-db"])
          ports.set(alias, await publishedPort(alias, service(alias).ports[0]!));
      return serverInject(f, {
        address: (s) => servers.address(s),
        interface: (s) => servers.interface(s),
        published: (alias, port) => ports.get(alias) ?? port,
      });
    },
    healSteps: (f) => serverHeal(f, { interface: (s) => servers.interface(s) }),
    async run(at: Place, script: string, o?: { heal?: boolean }): Promise<ScriptResult> {
      if ("server" in at) return servers.exec(at.server, script);
      const pid = await pidOf(at.service);
      if (pid === undefined) {
        // A stopped container has no namespace left, and so no rules: nothing to heal there.
        if (o?.heal) return { exitCode: 0, output: `${at.service} is not running: nothing to remove` };
        throw new Error(`${at.service} is not running: it has no network namespace to act in`);
      }
      return servers.exec(service(at.service).server, nsenterScript(pid, script));
    },
    reach: async (alias, port) => ({
      host: servers.address(service(alias).server),
      port: await publishedPort(alias, port),
    }),
    probeFrom: (server) => ({ server }),
    describe: (at) =>
      "server" in at
        ? `server ${at.server}`
        : `${at.service}'s network namespace on ${service(at.service).server}`,
  };
}

async function onEveryServer(
  servers: ServerAccess,
  script: string,
  why: (server: ServerName, output: string) => string,
): Promise<string | undefined> {
  const found = await Promise.all(
    serverNames.map(async (s) => {
      try {
        const r = await servers.exec(s, script);
        return r.exitCode === 0 ? undefined : why(s, r.output.trim());
      } catch (err) {
        return why(s, describeError(err));
      }
    }),
  );
  return found.find((f) => f !== undefined);
}

async function lacks(servers: ServerAccess, need: Capability): Promise<string | undefined> {
  switch (need) {
    // Power off / on and pause / resume are part of every ServerAccess.
    case "kill":
    case "pause":
      return undefined;
    case "netadmin":
      return onEveryServer(
        servers,
        `missing=""; for t in ${TOOLS.join(" ")}; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done; [ -z "$missing" ] || { echo "not installed:$missing"; exit 1; }`,
        (s, out) => `server ${s} cannot run network faults: ${out.split("\n")[0]}`,
      );
    case "netem": {
      const lack = await lacks(servers, "netadmin");
      if (lack !== undefined) return lack;
      // A qdisc on the loopback of a scratch namespace: asks the server's kernel without touching it.
      return onEveryServer(
        servers,
        "modprobe -q sch_netem 2>/dev/null; unshare -n tc qdisc add dev lo root netem delay 1ms",
        (s, out) => `server ${s}'s kernel has no netem qdisc (sch_netem): ${out.split("\n")[0]}`,
      );
    }
  }
}
