import { expect, faultExpectations, holds, satisfies } from "../expectations.ts";
import { defineDrill } from "../spec.ts";
import { faultName } from "../../faults/schedule.ts";

/**
 * rejoin-behind — node1's database is killed while its replica lags, and comes back behind: for some
 * 14 s it lacks what node2 took during the outage. HAProxy sends traffic back to node1 as soon as
 * its /healthz answers; only the hardened rejoin guard (cluster/app/todo/rejoin_guard.py) keeps it
 * out until its replica has caught up. Without the guard a session that wrote on node2 reads a list
 * on node1 without its own items (read-your-writes), and the items it read there vanish (monotonic
 * reads): the mutant app-rejoin-guard-removed.
 *
 * The lag (MASTER_DELAY) stands for a replica slow to apply after a restart; a replication split
 * would do the same, but its rules go with the database's network namespace when it restarts.
 */
/** The lag as the history names it. */
const LAG = faultName({ kind: "replica-lag", target: "node1" });

export default defineDrill({
  id: "rejoin-behind",
  title: "node1's database back from a kill while its replica lags",
  expects: {
    hardened:
      "node1 stays out of rotation until its replica has caught up: no read goes back (consistent with read committed, monotonic reads and read your writes), no stale read, nothing lost, caught up ≤ 10 s after the lag heals",
    seed: "the kill seen, nothing acknowledged lost; the seed's TCP check never fails over, so node2 takes no write and node1 has nothing to be behind on (its lag goes unseen); consistent with read committed",
  },
  plan: ({ profile }) => {
    const seed = profile === "seed";
    return {
      load: { rate: 20, beforeSeconds: 4, afterSeconds: 8 },
      faults: [
        // First the lag (its SQL needs node1's database up), then the kill it outlives by 14 s.
        { kind: "replica-lag", target: "node1", startSeconds: 0, durationSeconds: 22 },
        { kind: "kill-service", target: "node1-db", startSeconds: 2, durationSeconds: 6 },
      ],
      afterHeal: { convergenceBoundSeconds: 10, observeSeconds: 30, availability: {} },
      expect: seed
        ? [
            satisfies(["read-committed"]),
            holds("steady-state-before", "steady state before the fault", "steady-state-before"),
            // node2 takes no write while the seed's TCP check keeps node1 in: its replica has
            // nothing to fall behind on, and only the kill can be seen.
            expect("fault-effect", "the kill had its effect (node1's database stopped answering)", (e) => {
              const unseen = e.results
                .of("fault-effect")
                .findings.filter(
                  (f) => !(f.kind === "no-effect" && (f.evidence as { fault?: string })?.fault === LAG),
                );
              return { met: unseen.length === 0, detail: unseen.map((f) => f.message).join("; ") };
            }),
            holds("no-write-lost", "no acknowledged write lost", "durability"),
            holds("steady-state-after", "steady state restored after the heal", "steady-state-after"),
          ]
        : [
            satisfies(
              ["read-committed", "monotonic-reads", "read-your-writes"],
              "the rejoin guard keeps node1 out until its replica has caught up with node2",
            ),
            ...faultExpectations("the kill had its effect, and node1's replica fell behind"),
            holds("no-stale-read", "no stale read (the read-back of every item included)", "stale-reads"),
            holds(
              "converged",
              "replicas caught up ≤ 10 s after the lag heals and equal after the last write",
              "convergence",
            ),
          ],
    };
  },
});
