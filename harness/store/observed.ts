import { z } from "zod";

// observed.json: the databases as the drill left them (durability and replication health read it).

/** One replica's `SHOW SLAVE STATUS`, the fields the checkers read. */
export const ReplicaStateSchema = z.object({
  ioRunning: z.string(),
  sqlRunning: z.string(),
  lastIoError: z.string(),
  lastSqlErrno: z.number(),
  lastSqlError: z.string(),
  secondsBehindMaster: z.number().nullable(),
  connectRetry: z.number(),
  usingGtid: z.string(),
});
export type ReplicaState = z.infer<typeof ReplicaStateSchema>;

/** The rows of one database that a run wrote (filtered by the run's tag), as checkers see them. */
export const DbSnapshotSchema = z.object({
  lists: z.array(z.object({ id: z.number(), title: z.string() })),
  /** `done` is absent in runs from before items could be done. */
  items: z.array(
    z.object({ id: z.number(), listId: z.number(), text: z.string(), done: z.boolean().optional() }),
  ),
});
export type DbSnapshot = z.infer<typeof DbSnapshotSchema>;
export type NodeSnapshots = Record<"node1" | "node2", DbSnapshot>;

/** Each node's replica state; null where the node is no replica, absent where it could not be read. */
const ReplicasSchema = z.object({
  node1: ReplicaStateSchema.nullable().optional(),
  node2: ReplicaStateSchema.nullable().optional(),
});

/**
 * The databases as the drill left them (the run's rows and each replica's thread state), plus
 * replica states the drill read at named moments (e.g. "conflict").
 */
export const ObservedStateSchema = z.object({
  /** Prefix of every row the drill wrote. */
  tag: z.string(),
  /** History time (ms) when it was read. */
  time: z.number(),
  snapshots: z.object({ node1: DbSnapshotSchema.optional(), node2: DbSnapshotSchema.optional() }),
  replication: ReplicasSchema,
  /** Replica states read at other named moments of the drill. */
  moments: z.record(z.string(), ReplicasSchema).optional(),
  /** What could not be read, and why. */
  errors: z.array(z.string()),
});
export type ObservedState = z.infer<typeof ObservedStateSchema>;
export type ReplicaStates = ObservedState["replication"];
