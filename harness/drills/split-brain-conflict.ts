import { checkConvergence } from "../checkers/convergence.ts";
import { checkReplicationHealth } from "../checkers/replication-health.ts";
import { safely } from "../checkers/verdict.ts";
import { skipConflictingEvent, slaveState } from "../db/replication.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import {
  ALERT_BUDGET as B,
  checkAlerts,
  expectSeedReplicationUnmonitored,
  SEED_ALWAYS,
  withAlerts,
} from "./drill-steps.ts";
import { splitReplication } from "../faults/network-faults.ts";
import { withFault } from "../faults/with-fault.ts";
import { AppClient } from "../probes/app-client.ts";
import { observeConvergence } from "../probes/db-state.ts";
import { nodeNames } from "../topology/topology.ts";
import { waitUntil } from "../util/wait-until.ts";
import { expectation, type DrillContext, type DrillDefinition } from "./drill.ts";

/**
 * split-brain-conflict — while replication is split, the same unique list title is written on both
 * masters (each through its own node's app). On heal each replica tries to apply the other's row,
 * hits the unique key (error 1062) and stops its SQL thread: the data stays different. This is a
 * real weakness of master-master; the drill passes when firedrill detects it, in both profiles.
 */
export const splitBrainConflict: DrillDefinition = {
  id: "split-brain-conflict",
  title: "Same unique title written on both sides of a replication split",
  expects: {
    hardened:
      "firedrill detects the duplicate-key replication stop (1062) on both nodes and the divergence; SQL-thread-stopped and 1062 alerts fire ≤ 10 s, notify ≤ 15 s, stay firing until repaired, resolve ≤ 15 s after the repair",
    seed: "firedrill detects the duplicate-key replication stop (1062) on both nodes and the divergence; no replication alert fires: the seed's exporter cannot see replication",
  },
  async run(ctx) {
    const title = `${ctx.tag}-conflict`;
    const written: Record<string, number> = {};
    await withFault(ctx.lab, ctx.history, splitReplication(), async () => {
      for (const node of nodeNames) {
        const client = new AppClient(ctx.lab.endpoints.nodes[node].app.url);
        const t0 = ctx.history.now();
        const value = { title };
        ctx.history.append({
          type: "invoke",
          process: node === "node1" ? 1 : 2,
          op: "create-list",
          value,
          time: t0,
        });
        const r = await client.createList(title);
        const t1 = ctx.history.now();
        if (r.status !== 201) throw new Error(`writing "${title}" on ${node} answered ${r.status}`);
        ctx.history.append({
          type: "ok",
          process: node === "node1" ? 1 : 2,
          op: "create-list",
          value: { title, id: r.body.id },
          time: t1,
          node: r.servedBy,
          latencyMs: t1 - t0,
        });
        written[node] = r.body.id;
      }
    });
    const healTime = ctx.history.now();
    const dbs = { node1: ctx.lab.endpoints.nodes.node1.db, node2: ctx.lab.endpoints.nodes.node2.db };
    ctx.progress.detail(
      `wrote "${title}" as list ${written.node1} on node1 and ${written.node2} on node2; healed; waiting for replication to apply`,
    );
    // Give the replicas time to receive and try the other side's row (or to prove they do not stop).
    const states = await waitUntil(
      "both SQL threads stop on the conflict",
      async () => {
        const [s1, s2] = await Promise.all([slaveState(dbs.node1), slaveState(dbs.node2)]);
        return s1?.sqlRunning === "No" && s2?.sqlRunning === "No" ? { node1: s1, node2: s2 } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    ).catch(async () => ({ node1: await slaveState(dbs.node1), node2: await slaveState(dbs.node2) }));
    const replication = safely("replication-health", () => checkReplicationHealth(states));
    const samples = await observeConvergence(dbs, () => ctx.history.now(), 5000);
    const convergence = safely("convergence", () => checkConvergence(samples, healTime, 5));
    const conflicts = replication.findings.filter((f) => f.kind === "replication-conflict");
    const alerts =
      ctx.profile === "seed"
        ? await seedAlerts(ctx)
        : await conflictAlerts(ctx, healTime, async () => {
            ctx.progress.detail("repairing: skipping the conflicting event on both nodes");
            await Promise.all([skipConflictingEvent(dbs.node1), skipConflictingEvent(dbs.node2)]);
          });
    return withAlerts(
      {
        verdicts: [replication, convergence],
        figures: {
          conflictsDetected: conflicts.length,
          secondsToConverge: convergence.figures.secondsToConverge ?? null,
        },
        expectations: [
          expectation(
            "replication health reports the duplicate-key conflict (1062) on both nodes",
            conflicts.length === 2,
            replication.findings.map((f) => f.message).join("; "),
          ),
          expectation(
            "convergence reports the replicas diverged",
            convergence.findings.some((f) => f.kind === "diverged"),
            convergence.findings.map((f) => f.message).join("; ") || "the replicas were reported equal",
          ),
        ],
      },
      alerts,
    );
  },
};

const conflictNodes = ["node1", "node2"] as const;

/**
 * Hardened: the stop must raise SQL-thread and 1062 alerts that keep firing (the stop does not heal
 * itself) until the operator's repair, then resolve. Detection is timed from the heal, when the
 * conflicting rows meet.
 */
async function conflictAlerts(ctx: DrillContext, conflictAt: number, repair: () => Promise<void>) {
  const specs = (resolve: boolean) =>
    conflictNodes.flatMap((node) =>
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
  await new Promise((r) => setTimeout(r, 3000));
  const repairAt = ctx.history.now();
  await repair();
  return checkAlerts(ctx, specs(true), { allow, faultAt: conflictAt, healAt: repairAt });
}

/** Seed: the exporter cannot see replication, so the conflict raises no replication alert at all. */
async function seedAlerts(ctx: DrillContext) {
  const a = await checkAlerts(
    ctx,
    [
      expectAlert("ReplicationSQLThreadStopped").staysQuiet(),
      expectAlert("ReplicationSQLError").staysQuiet(),
    ],
    { allow: [...SEED_ALWAYS] },
  );
  a.expectations.push(await expectSeedReplicationUnmonitored(ctx));
  return a;
}
