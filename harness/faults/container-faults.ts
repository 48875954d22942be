import type { Lab } from "../lab/lab.ts";
import { servicesOn, service, type ServerName } from "../topology/topology.ts";
import type { Fault } from "./fault.ts";
import { unanswered } from "./effects.ts";

const aliasesOn = (server: ServerName) =>
  servicesOn(server)
    .filter((s) => s.image !== undefined)
    .map((s) => s.alias);

/** The engine answers 304 when a container is already in the wanted state: that is success here. */
async function tolerate304(p: Promise<unknown>): Promise<void> {
  await p.catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 304) throw err;
  });
}

async function isPaused(lab: Lab, alias: string): Promise<boolean> {
  return (await lab.container(alias).inspect()).State.Paused;
}

/** Every container of a server killed at once (SIGKILL, no shutdown), then started again. */
export function crashServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `crash ${server}`,
    needs: ["kill"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: async (lab) => {
      await Promise.all(aliases.map((a) => tolerate304(lab.container(a).kill({ signal: "SIGKILL" }))));
    },
    heal: async (lab) => {
      // Databases first: the apps wait for theirs when they start.
      const order = [...aliases].sort((a, b) => rank(a) - rank(b));
      for (const a of order) await tolerate304(lab.container(a).start());
    },
  };
}

function rank(alias: string): number {
  return service(alias).kind === "db" ? 0 : 1;
}

/** Every container of a server paused (SIGSTOP-like freeze), then thawed. */
export function freezeServer(server: ServerName): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `freeze ${server}`,
    needs: ["pause"],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
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
