import { describe, expect } from "vitest";
import { slaveState } from "../db/replication.ts";
import { withRoot } from "../db/sql.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import { operations, type AddItemValue } from "../history/history.ts";
import type { Lab } from "../lab/lab.ts";
import { ConvergenceObserver, snapshot } from "../probes/db-state.ts";
import { labTest } from "../testing/lab-fixture.ts";
import { runWorkload } from "../workload/workload.ts";
import { checkConvergence } from "./kinds/convergence.ts";
import { checkDurability } from "./kinds/durability.ts";
import { checkReplicationHealth } from "./kinds/replication-health.ts";

const tag = `checkers-${Date.now()}`;

// One hardened lab for the file, and the history of one clean workload run against it. `auto`: the
// run is made before the first test, in the hook that starts the lab, whether or not that test asks.
const it = labTest("hardened").extend<{ history: HistoryRecorder }>({
  history: [
    async ({ lab }, use) => {
      const history = new HistoryRecorder(lab.runId);
      const r = await runWorkload({
        baseUrl: lab.endpoints.haproxy.url,
        phases: [{ rate: 30, seconds: 3 }],
        maxOps: 90,
        concurrency: 8,
        timeoutMs: 5000,
        tag,
        history,
      });
      expect(r.ok).toBeGreaterThan(60);
      await use(history);
    },
    { scope: "file", auto: true },
  ],
});

// Real anomalies planted in the running databases, behind replication's back (sql_log_bin = 0):
// each checker that passed on the clean run must now fail.
describe("checkers against a real lab with real anomalies", () => {
  const dbs = (lab: Lab) => ({ node1: lab.endpoints.nodes.node1.db, node2: lab.endpoints.nodes.node2.db });
  const state = async (lab: Lab) => ({
    node1: await snapshot(dbs(lab).node1, tag),
    node2: await snapshot(dbs(lab).node2, tag),
  });

  /** Samples both nodes for `ms` (the run's writes are over: convergence is judged from now). */
  const observe = async (lab: Lab, history: HistoryRecorder, ms: number) => {
    const observer = new ConvergenceObserver(dbs(lab), tag, () => history.now(), ms);
    await observer.until(() => false, ms);
    await observer.stop();
    return observer.samples;
  };
  const options = (history: HistoryRecorder) => ({
    healAt: 0,
    quietAt: history.now(),
    boundSeconds: 10,
    settleSamples: 2,
  });

  it("the clean run passes durability, convergence and replication health", async ({ lab, history }) => {
    const o = options(history);
    const samples = await observe(lab, history, 2000);
    expect(checkConvergence(history.events, samples, o).findings).toEqual([]);
    expect(checkDurability(history.events, await state(lab), tag).valid).toBe(true);
    expect(
      checkReplicationHealth({
        node1: await slaveState(dbs(lab).node1),
        node2: await slaveState(dbs(lab).node2),
      }).valid,
    ).toBe(true);
  });

  it("durability catches an acknowledged item deleted from node2 only", async ({ lab, history }) => {
    const acked = operations(history.events).find(
      (o) => o.invoke.op === "add-item" && o.completion?.type === "ok",
    );
    const id = (acked!.completion!.value as AddItemValue).id!;
    await withRoot(
      dbs(lab).node2,
      async (c) => {
        await c.query("SET sql_log_bin = 0");
        await c.query("DELETE FROM todo_item WHERE id = ?", [id]);
      },
      dbs(lab).node2.database,
    );
    const v = checkDurability(history.events, await state(lab), tag);
    expect(v.valid).toBe(false);
    expect(v.findings).toEqual([
      expect.objectContaining({
        kind: "lost-write",
        evidence: expect.objectContaining({ node: "node2", id }),
      }),
    ]);
  });

  it("convergence catches the divergence that deletion left, naming the missing item", async ({
    lab,
    history,
  }) => {
    const o = options(history);
    const v = checkConvergence(history.events, await observe(lab, history, 2000), o);
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => f.kind)).toEqual(["diverged", "diverged"]);
    expect(v.findings[0]!.message).toMatch(/node2 lacks item \d+/);
    expect(v.findings[1]!.message).toContain("todo.todo_item");
  });

  it("replication health catches a stopped SQL thread", async ({ lab }) => {
    await withRoot(dbs(lab).node1, (c) => c.query("STOP SLAVE SQL_THREAD"));
    const v = checkReplicationHealth({
      node1: await slaveState(dbs(lab).node1),
      node2: await slaveState(dbs(lab).node2),
    });
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => `${f.kind} ${(f.evidence as { node: string }).node}`)).toEqual([
      "sql-thread-stopped node1",
    ]);
  });
});
