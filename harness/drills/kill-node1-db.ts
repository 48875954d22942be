import { killService } from "../faults/container-faults.ts";
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
 * kill-node1-db — only node1's database is killed; node1's app keeps running. The hardened HTTP
 * check sees the dead database and fails over; the seed's TCP check keeps sending traffic to node1.
 */
export const killNode1Db: DrillDefinition = {
  id: "kill-node1-db",
  title: "Kill node1's database only",
  expects: {
    hardened:
      "HAProxy fails over to node2 within 2 s; no acknowledged write lost; MariaDB-down and backend-on-backup alerts fire ≤ 10 s, notify ≤ 15 s, resolve ≤ 15 s after recovery",
    seed: "HAProxy keeps routing to node1 and requests fail while its database is dead; firedrill reports the outage, which the seed's 30 s alert delay never reports",
  },
  async run(ctx) {
    const { workload, quietTime } = await faultUnderLoad(ctx, killService("node1-db"), {
      rate: 20,
      beforeSeconds: 4,
      faultSeconds: 10,
      afterSeconds: 8,
    });
    const seed = ctx.profile === "seed";
    const v = await checkAfterHeal(ctx, {
      quietTime,
      convergenceBoundSeconds: seed ? 75 : 10,
      observeSeconds: seed ? 90 : 30,
      availability: { failoverNode: "node2", failoverSeconds: 2, primaryNode: "node1" },
    });
    const figures = keyFigures(v, workload);
    const expectations = seed
      ? [
          expectation(
            "no request is served by node2: the TCP check never fails over",
            figures.failoverSeconds === null,
            `failover ${figures.failoverSeconds}`,
          ),
          expectation(
            "requests fail while node1's database is dead",
            (figures.requestsFailed ?? 0) > 0,
            `${figures.requestsFailed} failed`,
          ),
          verdictHolds("no acknowledged write lost", v.durability),
        ]
      : [
          verdictHolds("failover ≤ 2 s", v.availability),
          verdictHolds("no acknowledged write lost", v.durability),
          expectation(
            "replicas converge ≤ 10 s after heal",
            v.convergence!.valid === true,
            `converged after ${figures.secondsToConverge} s`,
          ),
        ];
    const alerts = seed
      ? await checkAlerts(
          ctx,
          [
            expectAlert("MariaDBDown", { node: "node1" }).staysQuiet(),
            expectAlert("HighHTTP5xxRate").staysQuiet(),
          ],
          { allow: [...SEED_ALWAYS] },
        )
      : await checkAlerts(
          ctx,
          [
            expectAlert("MariaDBDown", { node: "node1" })
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("HAProxyServerDown", { node: "node1" })
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("HAProxyRunningOnBackup")
              .firesWithin(B.fires)
              .notifiedWithin(B.notified)
              .resolvesWithin(B.resolves),
            expectAlert("HighHTTP5xxRate").staysQuiet(),
          ],
          // node2's replica loses its master while node1's database is dead.
          {
            allow: [
              { name: "ReplicationIOThreadStopped" },
              { name: "ReplicationNotMonitored", labels: { node: "node1" } },
            ],
          },
        );
    return withAlerts({ verdicts: Object.values(v), figures, expectations }, alerts);
  },
};
