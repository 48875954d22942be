import { crashServer } from "../faults/container-faults.ts";
import { expectation, fmtSeconds, verdictHolds, type DrillDefinition } from "./drill.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import { seedNobodyAlerted } from "./seed-alerting.ts";
import {
  ALERT_BUDGET as B,
  checkAfterHeal,
  failoverBounds,
  faultExpectations,
  checkAlerts,
  faultUnderLoad,
  keyFigures,
  outcomeOf,
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
      "outage ≤ 2 s (the last failed request included), no acknowledged write lost, no stale read, replicas caught up ≤ 10 s after heal; server-down, instance-down and backend-on-backup alerts fire ≤ 10 s, notify ≤ 15 s, resolve ≤ 15 s after recovery",
    seed: "traffic fails over (TCP check: slower); replication stays cut until node2 notices (60 s slave_net_timeout) and the replicas catch up late, and firedrill says so; nobody is alerted: the seed, as the original, has no alert rule",
  },
  async run(ctx) {
    const load = await faultUnderLoad(ctx, crashServer("node1"), {
      rate: 20,
      beforeSeconds: 4,
      // The seed's TCP check takes 6–12 s to give up on node1: a 10 s crash could be over first.
      faultSeconds: ctx.profile === "seed" ? 20 : 10,
      afterSeconds: 12,
    });
    const seed = ctx.profile === "seed";
    const checked = await checkAfterHeal(ctx, load, {
      convergenceBoundSeconds: 10,
      observeSeconds: seed ? 90 : 30,
      availability: failoverBounds(ctx.profile),
    });
    const v = checked.verdicts;
    const figures = keyFigures(v, load.workload);
    const common = faultExpectations(v, "the crash had its effect (node1's services stopped answering)");
    const expectations = seed
      ? [
          ...common,
          expectation(
            "traffic fails over to node2 (its outage is measured): the original's TCP `check` (every 2 s, fall 3) and `timeout connect 5000` decide how long",
            figures.firstSuccessSeconds !== null,
            `first success on node2 ${fmtSeconds(figures.firstSuccessSeconds)}, outage ${fmtSeconds(figures.failoverSeconds)}`,
          ),
          expectation(
            "firedrill detects the seed's slow convergence after node1 returns (both nodes readable, caught up late): the original's `master_connect_retry=60` and default `slave_net_timeout` (60 s)",
            v.convergence!.findings.some((f) => f.kind === "slow-convergence"),
            v.convergence!.findings.map((f) => f.message).join("; ") ||
              `caught up ${fmtSeconds(figures.secondsToConverge)} after the heal`,
          ),
        ]
      : [
          ...common,
          verdictHolds("outage ≤ 2 s and first success on node2 ≤ 2 s", v.availability),
          verdictHolds("no stale read (the read-back of every item included)", v["stale-reads"]),
          verdictHolds("replicas caught up ≤ 10 s after heal and equal after the last write", v.convergence),
          verdictHolds("replication healthy after heal", v["replication-health"]),
        ];
    const alerts = seed
      ? await seedNobodyAlerted(ctx, { what: "node1's app down", selector: 'up{job="app", node="node1"}' })
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
            // The server itself: its node exporter went down with it.
            expectAlert("ServerDown", { server: "node1" })
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
    return withAlerts(outcomeOf(checked, figures, expectations), alerts);
  },
};
