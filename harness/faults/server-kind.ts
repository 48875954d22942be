import { nodeNames, type NodeName, type ServerName } from "../topology/topology.ts";
import { unanswered } from "./effects/unanswered.ts";
import type { Capability, Fault } from "./fault.ts";
import { defineFaultKind, needTarget, type FaultKind } from "./fault-kind.ts";
import type { FaultTarget } from "./fault-target.ts";
import { targetOf } from "./lab-target.ts";
import { aliasesOn } from "./net-plans.ts";
import { offPathWithServer } from "./request-path.ts";

/** The steps of the lab's fault target that act on a whole server. */
type ServerStep = keyof Pick<FaultTarget, "crash" | "recover" | "freeze" | "thaw">;

/** A whole-server fault: its verb ("crash": "crash node1"), what it needs, and its target's steps. */
export interface ServerFaultSteps {
  readonly verb: string;
  readonly needs: readonly Capability[];
  readonly inject: ServerStep;
  readonly heal: ServerStep;
}

/**
 * A fault on a whole server (a crash, a freeze): the lab's fault target injects and heals it,
 * whatever the lab's level, and it is seen the same way on every lab: every service of the server
 * stops answering.
 */
export function serverFault(server: ServerName, steps: ServerFaultSteps): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `${steps.verb} ${server}`,
    needs: steps.needs,
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => targetOf(lab)[steps.inject](server),
    heal: (lab) => targetOf(lab)[steps.heal](server),
  };
}

/**
 * The record of a whole-server fault kind, named by its verb like its fault: a node is its target
 * and the one server it touches, it takes that node off the request path, and the simulated stack
 * loses the whole node.
 */
export function serverKind(
  verb: string,
  build: (server: ServerName) => Fault,
  kind: Pick<FaultKind, "id" | "summary" | "alerts" | "exploreOrder">,
): FaultKind {
  const server = (t: string | null) => needTarget(kind.id, t) as ServerName;
  return defineFaultKind({
    ...kind,
    scope: () => "server",
    targets: nodeNames,
    name: (t) => `${verb} ${t}`,
    build: (t) => build(server(t)),
    servers: (t) => [server(t)],
    takesOff: offPathWithServer,
    simulate: (t) => ({ server: t as NodeName }),
  });
}
