import type { DbSnapshot } from "../store/observed.ts";
import type { ConvergenceSample, NodeState } from "../store/convergence-samples.ts";
import { queryRows, withRoot } from "../db/sql.ts";
import type { DbEndpoint } from "../lab/lab.ts";

export const APP_TABLES = ["todo_list", "todo_item"] as const;

/** The rows a run wrote (titles and texts start with its tag). */
export async function snapshot(db: DbEndpoint, tag: string): Promise<DbSnapshot> {
  return withRoot(
    db,
    async (c) => {
      const lists = await queryRows(c, "SELECT id, title FROM todo_list WHERE title LIKE ?", [`${tag}%`]);
      const items = await queryRows(c, "SELECT id, list_id, text, done FROM todo_item WHERE text LIKE ?", [
        `${tag}%`,
      ]);
      return {
        lists: lists.map((r) => ({ id: Number(r.id), title: String(r.title) })),
        items: items.map((r) => ({
          id: Number(r.id),
          listId: Number(r.list_id),
          text: String(r.text),
          done: Number(r.done) === 1,
        })),
      };
    },
    db.database,
  );
}

/** Settles within `ms` or rejects: a frozen node must not hang a sampler (its connection is abandoned). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * GTID position, table checksums and (given the run's tag) the ids of the run's rows on one node;
 * undefined when the node does not answer within `timeoutMs`.
 */
export async function nodeState(
  db: DbEndpoint,
  tag?: string,
  timeoutMs = 2000,
): Promise<NodeState | undefined> {
  try {
    return await within(
      timeoutMs,
      "reading a node",
      withRoot(db, async (c) => {
        const [pos] = await queryRows(c, "SELECT @@gtid_current_pos AS pos");
        const rows = await queryRows(
          c,
          `CHECKSUM TABLE ${APP_TABLES.map((t) => `${db.database}.${t}`).join(", ")}`,
        );
        const checksums: Record<string, number | null> = {};
        for (const r of rows) checksums[String(r.Table)] = r.Checksum === null ? null : Number(r.Checksum);
        const state: NodeState = { gtidCurrentPos: String(pos?.pos ?? ""), checksums };
        if (tag !== undefined) {
          const ids = async (sql: string) =>
            (await queryRows(c, sql, [`${tag}%`])).map((r) => Number(r.id)).sort((a, b) => a - b);
          state.rows = {
            lists: await ids(`SELECT id FROM ${db.database}.todo_list WHERE title LIKE ?`),
            items: await ids(`SELECT id FROM ${db.database}.todo_item WHERE text LIKE ?`),
          };
        }
        return state;
      }),
    );
  } catch {
    // A node that cannot be read is recorded as such (undefined); the checker says "unreadable".
    return undefined;
  }
}

/**
 * Samples both nodes every `intervalMs` from the heal on — while writes may still go on — so
 * convergence can be timed from the heal (see checkers/convergence.ts). `until` stops it once the
 * replicas have caught up and stayed equal for `settleSamples` samples after the last write, or at
 * its deadline.
 */
export class ConvergenceObserver {
  readonly samples: ConvergenceSample[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly nodes: { node1: DbEndpoint; node2: DbEndpoint },
    private readonly tag: string,
    private readonly now: () => number,
    /** Hard bound on the whole observation, whatever `until` is asked. */
    maxMs: number,
    private readonly intervalMs = 250,
  ) {
    const deadline = now() + maxMs;
    this.loop = (async () => {
      while (!this.stopped && this.now() < deadline) {
        await this.sample();
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  private async sample(): Promise<ConvergenceSample> {
    const [node1, node2] = await Promise.all([
      nodeState(this.nodes.node1, this.tag),
      nodeState(this.nodes.node2, this.tag),
    ]);
    const s = { time: this.now(), node1, node2 };
    this.samples.push(s);
    return s;
  }

  /**
   * Waits until `settled(samples)` says so or `timeoutMs` passes; sampling goes on until stop(), so
   * a drill can act (an operator's repair) and wait again. The caller's `settled` is the checker's
   * own condition, so a wait ends exactly when judgement can.
   */
  async until(settled: (samples: readonly ConvergenceSample[]) => boolean, timeoutMs: number): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (!this.stopped && this.now() < deadline && !settled(this.samples))
      await new Promise((r) => setTimeout(r, this.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
