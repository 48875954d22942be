import { expect, faultExpectations, recoveryExpectations, satisfies } from "../expectations.ts";
import { editsMix } from "../../workload/operation-mix.ts";
import availability from "../../checkers/kinds/availability.ts";
import { defineDrill } from "../spec.ts";
import { alertWithinBudget } from "../steps/alerts.ts";

/**
 * split-replication — node1's and node2's databases cannot reach each other for a while (nft drop
 * in both namespaces); apps and HAProxy are untouched and writes go on through HAProxy. After the
 * heal the replicas must converge with every acknowledged write on both.
 */
export default defineDrill({
  id: "split-replication",
  title: "Split replication while writes continue",
  expects: {
    hardened:
      "replication is seen to stop; no request fails, no acknowledged write lost, replicas caught up ≤ 15 s after heal; consistent with read committed and linearizable (items edited too); IO-thread-stopped alerts fire ≤ 10 s on both nodes, notify ≤ 15 s, resolve ≤ 15 s after heal",
    seed: "replication is seen to stop; no request fails, no acknowledged write lost, replicas caught up ≤ 15 s after heal; consistent with read committed and linearizable (items edited too); nobody is alerted: the seed, as the original, has no alert rule",
  },
  plan: ({ profile }) => ({
    // Edits too: node1 serves everything, so they never meet node2's, and every read must see them.
    load: { rate: 20, beforeSeconds: 3, afterSeconds: 3, mix: editsMix },
    faults: [{ kind: "split-replication", target: null, startSeconds: 0, durationSeconds: 10 }],
    afterHeal: { convergenceBoundSeconds: 15, observeSeconds: 45, availability: {} },
    expect: [
      ...faultExpectations("the split had its effect (replication stopped carrying writes)"),
      expect("no-request-fails", "no request fails (the split is invisible to clients)", (e) => {
        const failed = e.results.figure(availability, "requestsFailed");
        return { met: failed === 0, detail: `${failed} failed` };
      }),
      ...recoveryExpectations(15),
      satisfies(
        ["read-committed", "linearizable"],
        "node1 serves every request; the split only delays node2",
      ),
    ],
    alerts:
      profile === "seed"
        ? {
            nobody: {
              what: "node2's IO thread not running",
              selector: 'mysql_slave_status_slave_io_running{node="node2"}',
              unseenBecause:
                "with the original's default slave_net_timeout (60 s) a replica does not notice a silent split this short",
            },
          }
        : {
            expect: (["node1", "node2"] as const).map((node) =>
              alertWithinBudget("ReplicationIOThreadStopped", { node }),
            ),
            allow: [{ name: "ReplicationLagHigh" }],
          },
  }),
});
