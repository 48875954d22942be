import { crashServer } from "../faults/container-faults.ts";
import { expectation, verdictHolds, type DrillDefinition } from "./drill.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import {
  ALERT_BUDGET as B,
  checkAfterHeal,
  checkAlerts,
  faultUnderLoad,
  keyFigures,
  SEED_ALWAYS,
  withAlerts,
} from "./drill-steps.ts";

/**
 * crash-node1 — every container of node1 killed at once under steady load, then brought back.
 * Traffic must fail over to node2; node1 must come back and catch up.
 */
export const crashNode1: DrillDefinition = {
  id: "crash-node1",
  title: "Crash node1 under load",
  expects: {
    hardened:
      "failover ≤ 2 s, no acknowledged write lost, no stale read, replicas converge ≤ 10 s after heal; instance-down and backend-on-backup alerts fire ≤ 10 s, notify ≤ 15 s, resolve ≤ 15 s after recovery",
    seed: "traffic fails over (TCP check: slower); the 60 s MASTER_CONNECT_RETRY delays convergence past 10 s, and firedrill says so; the seed's 30 s alert delay lets the 10 s crash pass unalerted",
  },
  async run(ctx) {
    const { workload, quietTime } = await faultUnderLoad(ctx, crashServer("node1"), {
      rate: 20,
      beforeSeconds: 4,
      faultSeconds: 10,
      afterSeconds: 12,
    });
    const seed = ctx.profile === "seed";
    const v = await checkAfterHeal(ctx, {
      quietTime,
      convergenceBoundSeconds: 10,
      observeSeconds: seed ? 90 : 30,
      availability: { failoverNode: "node2", failoverSeconds: 2, primaryNode: "node1" },
    });
    const figures = keyFigures(v, workload);
    const kinds = (name: string) => v[name]!.findings.map((f) => f.kind);
    const expectations = seed
      ? [
          expectation(
            "traffic fails over to node2 (its time is measured)",
            figures.failoverSeconds !== null,
            `failover ${figures.failoverSeconds} s`,
          ),
          expectation(
            "firedrill detects the seed's slow convergence (or a divergence) after node1 returns",
            kinds("convergence").some((k) => k === "slow-convergence" || k === "diverged"),
            `converged after ${figures.secondsToConverge} s`,
          ),
        ]
      : [
          verdictHolds("failover ≤ 2 s", v.availability),
          verdictHolds("no acknowledged write lost", v.durability),
          verdictHolds("no stale read", v.staleReads),
          expectation(
            "replicas converge ≤ 10 s after heal",
            v.convergence!.valid === true,
            `converged after ${figures.secondsToConverge} s`,
          ),
          verdictHolds("replication healthy after heal", v.replication),
        ];
    const alerts = seed
      ? await checkAlerts(
          ctx,
          [
            expectAlert("AppInstanceDown", { node: "node1" }).staysQuiet(),
            expectAlert("HAProxyRunningOnBackup").staysQuiet(),
          ],
          // After the restart the 30 s delay can elapse for replication catching up; that is not the crash.
          { allow: [...SEED_ALWAYS, { name: "ReplicationIOThreadStopped" }, { name: "ReplicationLagHigh" }] },
        )
      : await checkAlerts(
          ctx,
          [
            expectAlert("AppInstanceDown", { node: "node1" })
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("HAProxyRunningOnBackup")
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("HAProxyServerDown", { node: "node1" })
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("ExporterScrapeFailing", { node: "node1" })
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            // Failover hides the crash from users: no 5xx storm.
            expectAlert("HighHTTP5xxRate").staysQuiet(),
          ],
          {
            allow: [
              // node2 loses its master; node1's database and exporter come back in either order.
              { name: "ReplicationIOThreadStopped" },
              { name: "MariaDBDown", labels: { node: "node1" } },
              { name: "ReplicationNotMonitored", labels: { node: "node1" } },
            ],
          },
        );
    return withAlerts({ verdicts: Object.values(v), figures, expectations }, alerts);
  },
};
