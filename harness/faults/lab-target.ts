import type { Lab } from "../lab/lab.ts";
import { containerTarget } from "./container-target.ts";
import { FaultUnsupportedError, type Fault } from "./fault.ts";
import type { FaultTarget } from "./fault-target.ts";
import { serverTarget } from "./server-target.ts";

const targets = new WeakMap<Lab, FaultTarget>();

/** The lab's fault target: its servers where it has them, its containers otherwise. */
export function targetOf(lab: Lab): FaultTarget {
  let t = targets.get(lab);
  if (!t) targets.set(lab, (t = lab.servers ? serverTarget(lab, lab.servers) : containerTarget(lab)));
  return t;
}

/**
 * Throws FaultUnsupportedError, with the reason, when the lab cannot do what `fault` needs: the
 * drill is reported skipped, never passed. Call it before the load starts; `withFault` calls it
 * again before the inject, so an unsupported fault is never half injected.
 */
export async function requireSupported(lab: Lab, fault: Fault): Promise<void> {
  const t = targetOf(lab);
  for (const need of fault.needs) {
    const why = await t.lacks(need);
    if (why !== undefined) throw new FaultUnsupportedError(fault.name, why);
  }
}
