import { fileURLToPath } from "node:url";
import { discover } from "../util/discover.ts";
import { foundDrills } from "./found-drills.ts";
import { isDrillSpec, type DrillSpec } from "./spec.ts";

/**
 * Every drill by id: the scripted ones, one file each in `specs/` (its default export), then the
 * schedules the explorer found and kept (`found/<id>.json`). Found here, so a new drill is that one
 * file: `firedrill run <id>` and the scenario run (scenarios/drills.drill.ts) take it from this list.
 */
export const drills: Readonly<Record<string, DrillSpec>> = Object.fromEntries(
  [
    ...(await discover(fileURLToPath(new URL("./specs/", import.meta.url)), "drill spec", isDrillSpec)),
    ...foundDrills(),
  ].map((d) => [d.id, d]),
);

export function findDrill(id: string): DrillSpec {
  const d = drills[id];
  if (!d) throw new Error(`unknown drill "${id}"; drills: ${Object.keys(drills).join(", ")}`);
  return d;
}
