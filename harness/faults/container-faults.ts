import type { Lab } from "../lab/lab.ts";
import { service, type ServerName } from "../topology/topology.ts";
import type { Fault } from "./fault.ts";
import { unanswered } from "./effects.ts";
import { targetOf } from "./fault-target.ts";
import { tolerate304 } from "./container-target.ts";
import { aliasesOn } from "./net-plans.ts";

async function isPaused(lab: Lab, alias: string): Promise<boolean> {
  return (await lab.container(alias).inspect()).State.Paused;
}

/**
 * A server crashes: every process gone at once, no shutdown, then it comes back with its services.
 * On a lab with servers it is powered off and on; on a single engine every container of the server
 * is killed (SIGKILL) and started again. Either way its services stop answering on their endpoints.
 */
export function crashServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `crash ${server}`,
    needs: ["kill"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => targetOf(lab).crash(server),
    heal: (lab) => targetOf(lab).recover(server),
  };
}

/** A server hangs: every process frozen (the whole server paused, or each container), then thawed. */
export function freezeServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `freeze ${server}`,
    needs: ["pause"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => targetOf(lab).freeze(server),
    heal: (lab) => targetOf(lab).thaw(server),
  };
}

// Service-level faults act on one container through the engine that runs it, on every lab.

/** One service stopped gracefully (SIGTERM, then SIGKILL after `graceSeconds`), then started. */
export function stopService(alias: string, graceSeconds = 2): Fault {
  service(alias);
  return {
    name: `stop ${alias}`,
    needs: ["kill"],
    effect: unanswered([alias], `${alias} does not answer`),
    inject: (lab) => tolerate304(lab.container(alias).stop({ t: graceSeconds })),
    heal: (lab) => tolerate304(lab.container(alias).start()),
  };
}

/** One service killed outright (SIGKILL), then started. */
export function killService(alias: string): Fault {
  service(alias);
  return {
    name: `kill ${alias}`,
    needs: ["kill"],
    effect: unanswered([alias], `${alias} does not answer`),
    inject: (lab) => tolerate304(lab.container(alias).kill({ signal: "SIGKILL" })),
    heal: (lab) => tolerate304(lab.container(alias).start()),
  };
}

/** Several services frozen at once (e.g. both apps: HAProxy has no server left and answers 5xx), then thawed. */
export function freezeServices(aliases: readonly string[]): Fault {
  for (const a of aliases) service(a);
  return {
    name: `freeze ${aliases.join(" + ")}`,
    needs: ["pause"],
    effect: unanswered(aliases, `${aliases.join(" and ")} do not answer`),
    inject: async (lab) => {
      await Promise.all(aliases.map((a) => tolerate304(lab.container(a).pause())));
    },
    heal: async (lab) => {
      await Promise.all(
        aliases.map(async (a) => {
          if (await isPaused(lab, a)) await lab.container(a).unpause();
        }),
      );
    },
  };
}
