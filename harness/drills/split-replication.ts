import { splitReplication } from "../faults/network-faults.ts";
import { expectation, verdictHolds, type DrillDefinition } from "./drill.ts";
import { seedNobodyAlerted } from "./seed-alerting.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import {
  ALERT_BUDGET as B,
  checkAfterHeal,
  checkAlerts,
  faultExpectations,
  faultUnderLoad,
  keyFigures,
  outcomeOf,
  withAlerts,
} from "./drill-steps.ts";

/**
 * split-replication — node1's and node2's databases cannot reach each other for a while (nft drop
 * in both namespaces); apps and HAProxy are untouched and writes go on through HAProxy. After the
 * heal the replicas must converge with every acknowledged write on both.
 */
export const splitReplicationDrill: DrillDefinition = {
  id: "split-replication",
  title: "Split replication while writes continue",
  expects: {
    hardened:
      "replication is seen to stop; no request fails, no acknowledged write lost, replicas caught up ≤ 15 s after heal; IO-thread-stopped alerts fire ≤ 10 s on both nodes, notify ≤ 15 s, resolve ≤ 15 s after heal",
    seed: "replication is seen to stop; no request fails, no acknowledged write lost, replicas caught up ≤ 15 s after heal; nobody is alerted: the seed, as the original, has no alert rule",
  },
  async run(ctx) {
    const load = await faultUnderLoad(ctx, splitReplication(), {
      rate: 20,
      beforeSeconds: 3,
      faultSeconds: 10,
      afterSeconds: 3,
    });
    const checked = await checkAfterHeal(ctx, load, {
      convergenceBoundSeconds: 15,
      observeSeconds: 45,
      availability: {},
    });
    const v = checked.verdicts;
    const figures = keyFigures(v, load.workload);
    const alerts =
      ctx.profile === "seed"
        ? await seedNobodyAlerted(ctx, {
            what: "node2's IO thread not running",
            selector: 'mysql_slave_status_slave_io_running{node="node2"}',
            unseenBecause:
              "with the original's default slave_net_timeout (60 s) a replica does not notice a silent split this short",
          })
        : await checkAlerts(
            ctx,
            (["node1", "node2"] as const).map((node) =>
              expectAlert("ReplicationIOThreadStopped", { node })
                .firesWithin(B.fires)
                .notifiedWithin(B.notified)
                .resolvesWithin(B.resolves),
            ),
            { allow: [{ name: "ReplicationLagHigh" }] },
          );
    return withAlerts(
      outcomeOf(checked, figures, [
        ...faultExpectations(v, "the split had its effect (replication stopped carrying writes)"),
        expectation(
          "no request fails (the split is invisible to clients)",
          figures.requestsFailed === 0,
          `${figures.requestsFailed} failed`,
        ),
        verdictHolds("no stale read (the read-back of every item included)", v["stale-reads"]),
        verdictHolds("replicas caught up ≤ 15 s after heal and equal after the last write", v.convergence),
        verdictHolds("replication healthy after heal", v["replication-health"]),
      ]),
      alerts,
    );
  },
};
