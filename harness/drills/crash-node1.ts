import { crashServer } from "../faults/container-faults.ts";
import { expectation, verdictHolds, type DrillDefinition } from "./drill.ts";
import { checkAfterHeal, faultUnderLoad, keyFigures } from "./drill-steps.ts";

/**
 * crash-node1 — every container of node1 killed at once under steady load, then brought back.
 * Traffic must fail over to node2; node1 must come back and catch up.
 */
export const crashNode1: DrillDefinition = {
  id: "crash-node1",
  title: "Crash node1 under load",
  expects: {
    hardened:
      "failover ≤ 2 s, no acknowledged write lost, no stale read, replicas converge ≤ 10 s after heal",
    seed: "traffic fails over (TCP check: slower); the 60 s MASTER_CONNECT_RETRY delays convergence past 10 s, and firedrill says so",
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
    return { verdicts: Object.values(v), figures, expectations };
  },
};
