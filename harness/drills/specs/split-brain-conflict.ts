import { expectAlert } from "../../alerts/expect-alert.ts";
import consistency from "../../checkers/kinds/consistency.ts";
import faultEffect from "../../checkers/kinds/fault-effect.ts";
import replicationHealth from "../../checkers/kinds/replication-health.ts";
import convergence from "../../checkers/kinds/convergence.ts";
import { skipConflictingEvent, slaveState } from "../../db/replication.ts";
import { queryRows, withRoot } from "../../db/sql.ts";
import { requireSupported } from "../../faults/lab-target.ts";
import { splitReplication } from "../../faults/kinds/split-replication.ts";
import { withFault } from "../../faults/with-fault.ts";
import type { DbEndpoint } from "../../lab/lab.ts";
import { AppClient } from "../../probes/app-client.ts";
import type { Expectation } from "../../store/drill-result.ts";
import { nodeNames, type NodeName } from "../../topology/topology.ts";
import { waitUntil } from "../../util/wait-until.ts";
import { runWorkload } from "../../workload/workload.ts";
import type { DrillContext } from "../context.ts";
import { expect, expectation, holds, reports, satisfies } from "../expectations.ts";
import { defineDrill, scripted } from "../spec.ts";
import { ALERT_BUDGET as B } from "../steps/alerts.ts";
import { checkAlerts } from "../steps/check-alerts.ts";
import { awaitConvergence, observeConvergenceFrom } from "../steps/convergence.ts";
import { judge } from "../steps/judge.ts";
import { seedNobodyAlerted } from "../steps/seed-alerting.ts";
import { steadyAfter, steadyBeforeCheck, steadyStateFirst } from "../steps/steady-state.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the drill saw while it acted, beside the checkers' results. */
interface Facts {
  /** Whether each side held its own conflicting row, and only it, before the heal. */
  bothSides: Expectation;
}

/**
 * split-brain-conflict — while replication is split, the same unique list title is written on both
 * masters (each through its own node's app). On heal each replica tries to apply the other's row,
 * hits the unique key (error 1062) and stops its SQL thread: the data stays different. This is a
 * real weakness of master-master; the drill passes when firedrill detects it, in both profiles.
 */
export default defineDrill({
  id: "split-brain-conflict",
  title: "Same unique title written on both sides of a replication split",
  expects: {
    hardened:
      "firedrill detects the duplicate-key replication stop (1062) on both nodes and the divergence; SQL-thread-stopped and 1062 alerts fire ≤ 10 s, notify ≤ 15 s, stay firing until repaired, resolve ≤ 15 s after the repair; consistent with read committed",
    seed: "firedrill detects the duplicate-key replication stop (1062) on both nodes and the divergence; nobody is alerted: the seed, as the original, has no alert rule; consistent with read committed",
  },
  plan: () =>
    scripted<Facts>({
      extra: conflictOnBothSides,
      expect: [
        holds("steady-state-before", "steady state before the fault", "steady-state-before"),
        holds(
          "fault-effect",
          "the split had its effect (replication stopped carrying writes)",
          "fault-effect",
        ),
        expect(
          "conflict-on-both-sides",
          "the conflicting row is on both sides before the heal",
          (e) => e.facts.bothSides,
        ),
        expect(
          "conflict-reported",
          "replication health reports the duplicate-key conflict (1062) on both nodes",
          (e) => {
            const r = e.results.of("replication-health");
            return {
              met: r.findings.filter((f) => f.kind === "replication-conflict").length === 2,
              detail: r.findings.map((f) => f.message).join("; "),
            };
          },
        ),
        reports(
          "divergence-reported",
          "convergence reports the replicas diverged (both nodes read)",
          "convergence",
          "diverged",
          () => "the replicas were reported equal",
        ),
        holds(
          "steady-state-after",
          "steady state restored after the repair (the data stays different)",
          "steady-state-after",
        ),
        satisfies(["read-committed"], "the conflicting rows are the drill's own, written outside the load"),
      ],
    }),
});

async function conflictOnBothSides(ctx: DrillContext) {
  const split = splitReplication();
  // A fault this lab cannot inject is reported skipped before any load is sent.
  await requireSupported(ctx.lab, split);
  const steadyBefore = await steadyStateFirst(ctx);
  const title = `${ctx.tag}-conflict`;
  const written: Record<string, number> = {};
  const dbs = { node1: ctx.lab.endpoints.nodes.node1.db, node2: ctx.lab.endpoints.nodes.node2.db };
  let bothSides = expectation(
    "conflict-on-both-sides",
    "the conflicting row is on both sides before the heal",
    false,
    "not checked",
  );
  await withFault(ctx.lab, ctx.history, split, async () => {
    for (const node of nodeNames) written[node] = await writeOn(ctx, node, title);
    // Long enough for the split's effect (a replica that has not read, a second on, what its master
    // wrote) to show.
    await sleep(1300);
    bothSides = await ownRowOnly(dbs, title, written);
  });
  const healTime = ctx.history.now();
  const observer = observeConvergenceFrom(ctx, 60_000);
  ctx.progress.detail(
    `wrote "${title}" as list ${written.node1} on node1 and ${written.node2} on node2; healed; waiting for replication to apply`,
  );
  // Give the replicas time to receive and try the other side's row (or to prove they do not stop).
  const conflict = await waitUntil(
    "both SQL threads stop on the conflict",
    async () => {
      const [s1, s2] = await Promise.all([slaveState(dbs.node1), slaveState(dbs.node2)]);
      return s1?.sqlRunning === "No" && s2?.sqlRunning === "No" ? { node1: s1, node2: s2 } : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  ).catch(async () => ({
    node1: (await slaveState(dbs.node1).catch(() => undefined)) ?? null,
    node2: (await slaveState(dbs.node2).catch(() => undefined)) ?? null,
  }));
  const converging = { healAt: healTime, quietAt: healTime, boundSeconds: 5 };
  // The replicas cannot converge (both SQL threads stopped); a few samples say so.
  await awaitConvergence(ctx, observer, converging, 3);
  await observer.stop();
  const repair = async () => {
    ctx.progress.detail("repairing: skipping the conflicting event on both nodes");
    await Promise.all([skipConflictingEvent(dbs.node1), skipConflictingEvent(dbs.node2)]);
  };
  const alerts =
    ctx.profile === "seed"
      ? await seedAlerts(ctx, healTime, repair)
      : await conflictAlerts(ctx, healTime, repair);
  // After the operator's repair the stack serves again, replicating both ways (the data stays different).
  const afterFrom = ctx.history.now();
  await steadyLoad(ctx);
  await ctx.states.sync();
  const checked = await judge(
    ctx,
    [
      steadyBeforeCheck(steadyBefore),
      faultEffect.spec(undefined),
      replicationHealth.spec({ moment: "conflict" }),
      consistency.spec(undefined),
      convergence.spec(converging),
      steadyAfter(ctx, afterFrom, 10),
    ],
    observer.samples,
    { conflict },
  );
  await removeConflictingRows(dbs, title);
  const conflicts = checked.results
    .of("replication-health")
    .findings.filter((f) => f.kind === "replication-conflict");
  return {
    checked,
    figures: {
      conflictsDetected: conflicts.length,
      secondsToConverge: checked.results.figure(convergence, "secondsToConverge"),
    },
    facts: { bothSides },
    alerts,
  };
}

/** Writes `title` through `node`'s own app (not HAProxy), recorded in the history. */
async function writeOn(ctx: DrillContext, node: NodeName, title: string): Promise<number> {
  const client = new AppClient(ctx.lab.endpoints.nodes[node].app.url);
  const process = node === "node1" ? 1 : 2;
  const t0 = ctx.history.now();
  ctx.history.append({ type: "invoke", process, op: "create-list", value: { title }, time: t0 });
  const r = await client.createList(title);
  const t1 = ctx.history.now();
  if (r.status !== 201) throw new Error(`writing "${title}" on ${node} answered ${r.status}`);
  ctx.history.append({
    type: "ok",
    process,
    op: "create-list",
    value: { title, id: r.body.id },
    time: t1,
    node: r.servedBy,
    latencyMs: t1 - t0,
  });
  return r.body.id;
}

/** During the split each side holds its own conflicting row and not the other's: the conflict is real. */
async function ownRowOnly(dbs: Record<NodeName, DbEndpoint>, title: string, written: Record<string, number>) {
  const ids = await Promise.all(
    nodeNames.map(async (node) =>
      (
        await withRoot(
          dbs[node],
          (c) => queryRows(c, "SELECT id FROM todo_list WHERE title = ?", [title]),
          dbs[node].database,
        )
      ).map((r) => Number(r.id)),
    ),
  );
  const [on1, on2] = ids as [number[], number[]];
  return expectation(
    "conflict-on-both-sides",
    "the conflicting row is on both sides before the heal",
    on1.length === 1 && on1[0] === written.node1 && on2.length === 1 && on2[0] === written.node2,
    `node1 holds list ${on1.join(", ") || "none"}, node2 holds ${on2.join(", ") || "none"}`,
  );
}

/**
 * Once judged, the rest of the operator's repair: the duplicate title removed on both sides (binary
 * log off, so neither delete replicates into the other's missing row), leaving equal tables for
 * whatever runs on this lab next.
 */
async function removeConflictingRows(dbs: Record<NodeName, DbEndpoint>, title: string): Promise<void> {
  await Promise.all(
    nodeNames.map((node) =>
      withRoot(
        dbs[node],
        async (c) => {
          await c.query("SET sql_log_bin = 0");
          await c.query("DELETE FROM todo_list WHERE title = ?", [title]);
        },
        dbs[node].database,
      ),
    ),
  );
}

/** Two seconds of light load through HAProxy, recorded like any other. */
async function steadyLoad(ctx: DrillContext) {
  await runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate: 10, seconds: 2 }],
    maxOps: 20,
    concurrency: 8,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
  });
}

/**
 * Hardened: the stop must raise SQL-thread and 1062 alerts that keep firing (the stop does not heal
 * itself) until the operator's repair, then resolve. Detection is timed from the heal, when the
 * conflicting rows meet.
 */
async function conflictAlerts(ctx: DrillContext, conflictAt: number, repair: () => Promise<void>) {
  const specs = (resolve: boolean) =>
    nodeNames.flatMap((node) =>
      ["ReplicationSQLThreadStopped", "ReplicationSQLError"].map((name) => {
        const e = expectAlert(name, { node })
          .firesWithin(B.fires)
          .notifiedWithin(B.notified)
          .staysFiringUntilRepaired();
        return resolve ? e.resolvesWithin(B.resolves) : e;
      }),
    );
  const allow = [{ name: "ReplicationIOThreadStopped" }, { name: "ReplicationLagHigh" }];
  // First wait for firing and notification, then hold a moment: nothing may resolve before the repair.
  await checkAlerts(ctx, specs(false), { allow, faultAt: conflictAt, healAt: ctx.history.now() + 60_000 });
  await sleep(3000);
  const repairAt = ctx.history.now();
  await repair();
  return checkAlerts(ctx, specs(true), { allow, faultAt: conflictAt, healAt: repairAt });
}

/**
 * Seed: no alert rule (as the original), so nobody hears of the conflict; then the operator repairs
 * it as in the hardened drill, so the steady state can be checked after.
 */
async function seedAlerts(ctx: DrillContext, healTime: number, repair: () => Promise<void>) {
  const a = await seedNobodyAlerted(ctx, {
    what: "node1's SQL thread stopped",
    selector: 'mysql_slave_status_slave_sql_running{node="node1"}',
    // The duplicate key stops the SQL thread when the heal lets the other side's row arrive.
    from: healTime,
  });
  await repair();
  return a;
}
