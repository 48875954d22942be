import type { DbSnapshot } from "../checkers/db-snapshot.ts";
import type { ConvergenceSample, NodeState } from "../checkers/convergence.ts";
import { queryRows, withRoot } from "../db/sql.ts";
import type { DbEndpoint } from "../lab/lab.ts";

export const APP_TABLES = ["todo_list", "todo_item"] as const;

/** The rows a run wrote (titles and texts start with its tag). */
export async function snapshot(db: DbEndpoint, tag: string): Promise<DbSnapshot> {
  return withRoot(
    db,
    async (c) => {
      const lists = await queryRows(c, "SELECT id, title FROM todo_list WHERE title LIKE ?", [`${tag}%`]);
      const items = await queryRows(c, "SELECT id, list_id, text FROM todo_item WHERE text LIKE ?", [
        `${tag}%`,
      ]);
      return {
        lists: lists.map((r) => ({ id: Number(r.id), title: String(r.title) })),
        items: items.map((r) => ({ id: Number(r.id), listId: Number(r.list_id), text: String(r.text) })),
      };
    },
    db.database,
  );
}

/** GTID position and table checksums of one node; undefined when the node does not answer. */
export async function nodeState(db: DbEndpoint): Promise<NodeState | undefined> {
  try {
    return await withRoot(db, async (c) => {
      const [pos] = await queryRows(c, "SELECT @@gtid_current_pos AS pos");
      const rows = await queryRows(
        c,
        `CHECKSUM TABLE ${APP_TABLES.map((t) => `${db.database}.${t}`).join(", ")}`,
      );
      const checksums: Record<string, number | null> = {};
      for (const r of rows) checksums[String(r.Table)] = r.Checksum === null ? null : Number(r.Checksum);
      return { gtidCurrentPos: String(pos?.pos ?? ""), checksums };
    });
  } catch {
    // A node that cannot be read is "not equal" to the checker: the sample records it as undefined.
    return undefined;
  }
}

/**
 * Samples both nodes until their data is equal (plus `settleSamples` more, so a brief equality
 * that breaks again is seen) or `timeoutMs` passes.
 */
export async function observeConvergence(
  nodes: { node1: DbEndpoint; node2: DbEndpoint },
  now: () => number,
  timeoutMs: number,
  intervalMs = 250,
): Promise<ConvergenceSample[]> {
  const samples: ConvergenceSample[] = [];
  const start = now();
  for (;;) {
    const [node1, node2] = await Promise.all([nodeState(nodes.node1), nodeState(nodes.node2)]);
    const sample = { time: now(), node1, node2 };
    samples.push(sample);
    const equal =
      node1 &&
      node2 &&
      JSON.stringify(node1.checksums) === JSON.stringify(node2.checksums) &&
      !Object.values(node1.checksums).includes(null);
    if (equal || now() - start > timeoutMs) return samples;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
