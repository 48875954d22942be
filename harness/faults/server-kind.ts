import { nodeNames, type NodeName, type ServerName } from "../topology/topology.ts";
import { unanswered } from "./effects/unanswered.ts";
import type { Capability, Fault } from "./fault.ts";
import { defineFaultKind, needTarget, type FaultKind } from "./fault-kind.ts";
import type { FaultTarget } from "./fault-target.ts";
import { targetOf } from "./lab-target.ts";
import { aliasesOn } from "./net-plans.ts";
import { offPathWithServer } from "./request-path.ts";

/** What a whole-server fault does through the lab's fault target, and what it is called. */
export interface ServerFaultSteps {
  /** "crash": the fault is "crash node1". */
  readonly verb: string;
  readonly needs: Capability;
  inject(target: FaultTarget, server: ServerName): Promise<void>;
  heal(target: FaultTarget, server: ServerName): Promise<void>;
}

/**
 * A fault on a whole server (a crash, a freeze): the lab's fault target does and undoes it, whatever
 * the lab's level, and it is seen the same way: every service of the server stops answering.
 */
export function serverFault(server: ServerName, steps: ServerFaultSteps): Fault {
  const aliases = aliasesOn(server);
  return {
    name: `${steps.verb} ${server}`,
    needs: [steps.needs],
    effect: unanswered(aliases, `${server}'s services (${aliases.join(", ")}) do not answer`),
    inject: (lab) => steps.inject(targetOf(lab), server),
    heal: (lab) => steps.heal(targetOf(lab), server),
  };
}

/**
 * The record of a whole-server fault kind: a node is its target and the one server it touches, it
 * takes that node off the request path, and the simulated stack loses the whole node.
 */
export function serverKind(
  kind: Pick<FaultKind, "id" | "summary" | "alerts" | "exploreOrder">,
  steps: ServerFaultSteps,
): FaultKind {
  const server = (t: string | null) => needTarget(kind.id, t) as ServerName;
  return defineFaultKind({
    ...kind,
    scope: () => "server",
    targets: nodeNames,
    name: (t) => `${steps.verb} ${t}`,
    build: (t) => serverFault(server(t), steps),
    servers: (t) => [server(t)],
    takesOff: offPathWithServer,
    simulate: (t) => ({ server: t as NodeName }),
  });
}
