import { service, topology } from "../../topology/topology.ts";
import { tolerate304 } from "../container-target.ts";
import { unanswered } from "../effects/unanswered.ts";
import type { Fault } from "../fault.ts";
import { defineFaultKind, needTarget } from "../fault-kind.ts";
import { offPathWithService } from "../request-path.ts";

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

export default defineFaultKind({
  id: "stop-service",
  summary: "one service stopped gracefully (SIGTERM, SIGKILL after 2 s), then started again",
  scope: () => "service",
  targets: topology.filter((s) => s.image !== undefined).map((s) => s.alias),
  name: (t) => `stop ${t}`,
  build: (t) => stopService(needTarget("stop-service", t)),
  servers: (t) => [service(needTarget("stop-service", t)).server],
  takesOff: offPathWithService,
});
