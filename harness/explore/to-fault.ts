import { crashServer, freezeServer, killService } from "../faults/container-faults.ts";
import type { Fault } from "../faults/fault.ts";
import { partition, splitReplication } from "../faults/network-faults.ts";
import type { ServerName } from "../topology/topology.ts";
import type { ScheduledFault } from "./schedule.ts";

/** The target of a fault that must have one; the schema guarantees it, a hand-built value may not. */
function need(f: ScheduledFault): string {
  if (f.target === null) throw new Error(`${f.kind} needs a target, not null`);
  return f.target;
}

/**
 * The real fault a scheduled one stands for: its kind names the constructor, its target the
 * arguments (a partition's "a|b" is both ends). The fault's name is catalogue.ts's `faultName`, so
 * the history, the report and the schedule word it alike (to-fault.test.ts checks every target).
 */
export function toFault(f: ScheduledFault): Fault {
  switch (f.kind) {
    case "crash-server":
      return crashServer(need(f) as ServerName);
    case "freeze-server":
      return freezeServer(need(f) as ServerName);
    case "kill-service":
      return killService(need(f));
    case "split-replication":
      return splitReplication();
    case "partition": {
      const [a, b] = need(f).split("|") as [ServerName, ServerName];
      return partition(a, b);
    }
  }
}
