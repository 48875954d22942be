import { expectAlert } from "../../alerts/expect-alert.ts";
import convergence from "../../checkers/kinds/convergence.ts";
import availability from "../../checkers/kinds/availability.ts";
import {
  expect,
  faultExpectations,
  fmtSeconds,
  holds,
  recoveryExpectations,
  reports,
  satisfies,
} from "../expectations.ts";
import { defineDrill } from "../spec.ts";
import { alertWithinBudget } from "../steps/alerts.ts";
import { failoverBounds } from "../steps/judge.ts";

/**
 * crash-node1 — every container of node1 killed at once under steady load, then brought back.
 * Traffic must fail over to node2; node1 must come back and catch up.
 */
export default defineDrill({
  id: "crash-node1",
  title: "Crash node1 under load",
  expects: {
    hardened:
      "outage ≤ 2 s (the last failed request included), no acknowledged write lost, no stale read, replicas caught up ≤ 10 s after heal; server-down, instance-down and backend-on-backup alerts fire ≤ 10 s, notify ≤ 15 s, resolve ≤ 15 s after recovery; consistent with read committed",
    seed: "traffic fails over (TCP check: slower); replication stays cut until node2 notices (60 s slave_net_timeout) and the replicas catch up late, and firedrill says so; nobody is alerted: the seed, as the original, has no alert rule; consistent with read committed",
  },
  plan: ({ profile }) => {
    const seed = profile === "seed";
    return {
      load: { rate: 20, beforeSeconds: 4, afterSeconds: 12 },
      // The seed's TCP check takes 6–12 s to give up on node1: a 10 s crash could be over first.
      faults: [{ kind: "crash-server", target: "node1", startSeconds: 0, durationSeconds: seed ? 20 : 10 }],
      afterHeal: {
        convergenceBoundSeconds: 10,
        observeSeconds: seed ? 90 : 30,
        availability: failoverBounds(profile),
      },
      expect: [
        // Inserts and reads only (no edits yet): nothing acknowledged lost, no aborted or intermediate
        // read, no cycle of writes and reads; failover may show reads that lag (not linearizable).
        satisfies(["read-committed"]),
        ...faultExpectations("the crash had its effect (node1's services stopped answering)"),
        ...(seed
          ? [
              expect(
                "failover-measured",
                "traffic fails over to node2 (its outage is measured): the original's TCP `check` (every 2 s, fall 3) and `timeout connect 5000` decide how long",
                (e) => ({
                  met: e.results.figure(availability, "firstSuccessSeconds") !== null,
                  detail: `first success on node2 ${fmtSeconds(e.results.figure(availability, "firstSuccessSeconds"))}, outage ${fmtSeconds(e.results.figure(availability, "failoverSeconds"))}`,
                }),
              ),
              reports(
                "slow-convergence-detected",
                "firedrill detects the seed's slow convergence after node1 returns (both nodes readable, caught up late): the original's `master_connect_retry=60` and default `slave_net_timeout` (60 s)",
                "convergence",
                "slow-convergence",
                (e) =>
                  `caught up ${fmtSeconds(e.results.figure(convergence, "secondsToConverge"))} after the heal`,
              ),
            ]
          : [
              holds("failover", "outage ≤ 2 s and first success on node2 ≤ 2 s", "availability"),
              ...recoveryExpectations(10),
            ]),
      ],
      alerts: seed
        ? { nobody: { what: "node1's app down", selector: 'up{job="app", node="node1"}' } }
        : {
            expect: [
              alertWithinBudget("AppInstanceDown", { node: "node1" }),
              alertWithinBudget("HAProxyRunningOnBackup"),
              alertWithinBudget("HAProxyServerDown", { node: "node1" }),
              alertWithinBudget("ExporterScrapeFailing", { node: "node1" }),
              // The server itself: its node exporter went down with it.
              alertWithinBudget("ServerDown", { server: "node1" }),
              // Failover hides the crash from users: no 5xx storm.
              expectAlert("HighHTTP5xxRate").staysQuiet(),
            ],
            allow: [
              // node2 loses its master; node1's database and exporter come back in either order.
              { name: "ReplicationIOThreadStopped" },
              { name: "MariaDBDown", labels: { node: "node1" } },
              { name: "ReplicationNotMonitored", labels: { node: "node1" } },
            ],
          },
    };
  },
});
