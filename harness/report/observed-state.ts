import type { DbSnapshot } from "../checkers/db-snapshot.ts";
import { slaveState, type SlaveState } from "../db/replication.ts";
import type { Lab } from "../lab/lab.ts";
import { snapshot } from "../probes/db-state.ts";
import { nodeNames, type NodeName } from "../topology/topology.ts";
import { describe } from "../util/errors.ts";

/**
 * `observed.json`: the databases as the drill left them (the run's rows and each replica's thread
 * state), so durability and replication health can be re-checked from the saved artifacts.
 */
export interface ObservedState {
  /** Prefix of every row the drill wrote. */
  tag: string;
  /** History time (ms) when it was read: after the drill's own checks, before the lab went down. */
  time: number;
  snapshots: Partial<Record<NodeName, DbSnapshot>>;
  replication: Partial<Record<NodeName, SlaveState | null>>;
  /** What could not be read, and why. */
  errors: string[];
}

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
