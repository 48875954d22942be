/** The rows of one database that a run wrote (filtered by the run's tag), as checkers see them. */
export interface DbSnapshot {
  lists: { id: number; title: string }[];
  items: { id: number; listId: number; text: string }[];
}

export type NodeSnapshots = Record<"node1" | "node2", DbSnapshot>;
