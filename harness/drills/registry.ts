import { foundDrills } from "../explore/found-drills.ts";
import { crashNode1 } from "./crash-node1.ts";
import type { DrillDefinition } from "./drill.ts";
import { killNode1Db } from "./kill-node1-db.ts";
import { loadHaproxy } from "./load-haproxy.ts";
import { splitBrainConflict } from "./split-brain-conflict.ts";
import { splitReplicationDrill } from "./split-replication.ts";

/**
 * Every drill by id; `scenarios/<id>.drill.ts` runs each in vitest, `firedrill run <id>` from the CLI.
 * After the scripted ones, the schedules the explorer found and kept (harness/explore/found/).
 */
export const drills: Readonly<Record<string, DrillDefinition>> = Object.fromEntries(
  [crashNode1, splitReplicationDrill, splitBrainConflict, loadHaproxy, killNode1Db, ...foundDrills()].map(
    (d) => [d.id, d],
  ),
);

export function findDrill(id: string): DrillDefinition {
  const d = drills[id];
  if (!d) throw new Error(`unknown drill "${id}"; drills: ${Object.keys(drills).join(", ")}`);
  return d;
}
