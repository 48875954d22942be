import { killService } from "../faults/container-faults.ts";
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
 * kill-node1-db — only node1's database is killed; node1's app keeps running. The hardened HTTP
 * check sees the dead database and fails over; the seed's TCP check keeps sending traffic to node1.
 */
export const killNode1Db: DrillDefinition = {
  id: "kill-node1-db",
  title: "Kill node1's database only",
  expects: {
    hardened:
      "HAProxy fails over to node2 with an outage ≤ 2 s; no acknowledged write lost, no stale read, replicas caught up ≤ 10 s after heal; MariaDB-down and backend-on-backup alerts fire ≤ 10 s, notify ≤ 15 s, resolve ≤ 15 s after recovery",
    seed: "HAProxy keeps routing to node1 and requests fail while its database is dead; firedrill reports the outage, of which nobody is alerted: the seed, as the original, has no alert rule",
  },
  async run(ctx) {
    const load = await faultUnderLoad(ctx, killService("node1-db"), {
      rate: 20,
      beforeSeconds: 4,
      faultSeconds: 10,
      afterSeconds: 8,
    });
    const seed = ctx.profile === "seed";
    const checked = await checkAfterHeal(ctx, load, {
      convergenceBoundSeconds: 10,
      observeSeconds: seed ? 90 : 30,
      availability: failoverBounds(ctx.profile),
    });
    const v = checked.verdicts;
    const figures = keyFigures(v, load.workload);
    const common = faultExpectations(v, "the kill had its effect (node1's database stopped answering)");
    const expectations = seed
      ? [
          ...common,
          expectation(
            "no request is served by node2: the original's TCP `check` sees node1's app still listening and never fails over",
            figures.firstSuccessSeconds === null,
            `first success on node2 ${fmtSeconds(figures.firstSuccessSeconds)}`,
          ),
          expectation(
            "requests fail while node1's database is dead (counted from the fault on)",
            (figures.requestsFailed ?? 0) > 0,
            `${figures.requestsFailed} failed`,
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
      ? await seedNobodyAlerted(ctx, { what: "node1's database down", selector: 'mysql_up{node="node1"}' })
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
              // HAProxy's /healthz checks keep asking node1's app for its dead database, each waiting
              // out the connect; with both gunicorn workers so held, a scrape can time out and the
              // app look down too (seen in a gate: pending 4.8 s after the kill, resolved at the heal).
              { name: "AppInstanceDown", labels: { node: "node1" } },
            ],
          },
        );
    return withAlerts(outcomeOf(checked, figures, expectations), alerts);
  },
};
