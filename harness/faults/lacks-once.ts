import type { Capability } from "./fault.ts";

/**
 * A fault target's `lacks`, asked of the lab once per capability (as FaultTarget promises): a drill
 * asks before the load and again before the inject, and each look costs round trips to the lab.
 */
export function lacksOnce(
  ask: (need: Capability) => Promise<string | undefined>,
): (need: Capability) => Promise<string | undefined> {
  const asked = new Map<Capability, Promise<string | undefined>>();
  return (need) => {
    let p = asked.get(need);
    if (!p) asked.set(need, (p = ask(need)));
    return p;
  };
}
