import type { Lab } from "../../lab/lab.ts";
import { service, type ServerName } from "../../topology/topology.ts";
import { tolerate304 } from "../container-target.ts";
import { unanswered } from "../effects/unanswered.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { offPathWithService } from "../request-path.ts";

async function isPaused(lab: Lab, alias: string): Promise<boolean> {
  return (await lab.container(alias).inspect()).State.Paused;
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

/** A target is the frozen services' aliases joined by "+". */
const aliasesOf = (t: string | null) => needTarget("freeze-services", t).split("+");

export default defineFaultKind({
  id: "freeze-services",
  summary:
    "several services frozen at once (both apps: HAProxy has no server left and answers 5xx), then thawed",
  scope: () => "service",
  targets: ["node1-app+node2-app"],
  name: (t) => `freeze ${aliasesOf(t).join(" + ")}`,
  build: (t) => freezeServices(aliasesOf(t)),
  servers: (t) => [...new Set(aliasesOf(t).map((a) => service(a).server as ServerName))],
  takesOff: (t) => [...new Set(aliasesOf(t).flatMap(offPathWithService))],
});
