import { nodeNames, service, type NodeName } from "../../topology/topology.ts";
import { tolerate304 } from "../container-target.ts";
import { unanswered } from "../effects/unanswered.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { offPathWithService } from "../request-path.ts";

/** One service killed outright (SIGKILL) through the engine that runs it, then started. */
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

// Only the services whose loss the stack is built to survive (a database, an app): killing HAProxy
// or Prometheus tests nothing but the obvious.
const killable: string[] = nodeNames.flatMap((n) => [`${n}-db`, `${n}-app`]);
for (const alias of killable) service(alias); // throws if the topology ever renames them

export default defineFaultKind({
  id: "kill-service",
  summary: "one service killed outright (SIGKILL), then started again: a node's database or app",
  scope: () => "service",
  targets: killable,
  name: (t) => `kill ${t}`,
  build: (t) => killService(needTarget("kill-service", t)),
  servers: (t) => [service(needTarget("kill-service", t)).server],
  takesOff: offPathWithService,
  // kill-node1-db proves MariaDBDown; crash-node1 proves AppInstanceDown.
  alerts: (t) => {
    const s = service(needTarget("kill-service", t));
    if (s.kind === "db") return [{ name: "MariaDBDown", labels: { node: s.server } }];
    if (s.kind === "app") return [{ name: "AppInstanceDown", labels: { node: s.server } }];
    return [];
  },
  simulate: (t) => {
    const s = service(needTarget("kill-service", t));
    const node = s.server as NodeName;
    return s.kind === "db" ? { db: node } : s.kind === "app" ? { app: node } : {};
  },
  exploreOrder: 3,
});
