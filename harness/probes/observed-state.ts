import type { ObservedState } from "../store/observed.ts";
import { slaveState } from "../db/replication.ts";
import type { Lab } from "../lab/lab.ts";
import { snapshot } from "./db-state.ts";
import { nodeNames } from "../topology/topology.ts";
import { describe } from "../util/errors.ts";

export async function observeState(lab: Lab, tag: string, time: number): Promise<ObservedState> {
  const state: ObservedState = { tag, time, snapshots: {}, replication: {}, errors: [] };
  await Promise.all(
    nodeNames.map(async (node) => {
      const db = lab.endpoints.nodes[node].db;
      await snapshot(db, tag).then(
        (s) => (state.snapshots[node] = s),
        (err: unknown) => state.errors.push(`${node} rows: ${describe(err)}`),
      );
      await slaveState(db).then(
        (s) => (state.replication[node] = s ?? null),
        (err: unknown) => state.errors.push(`${node} replication: ${describe(err)}`),
      );
    }),
  );
  return state;
}
