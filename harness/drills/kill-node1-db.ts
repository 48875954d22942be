import { killService } from "../faults/container-faults.ts";
import { expectation, verdictHolds, type DrillDefinition } from "./drill.ts";
import { checkAfterHeal, faultUnderLoad, keyFigures } from "./drill-steps.ts";

/**
 * kill-node1-db — only node1's database is killed; node1's app keeps running. The hardened HTTP
 * check sees the dead database and fails over; the seed's TCP check keeps sending traffic to node1.
 */
export const killNode1Db: DrillDefinition = {
  id: "kill-node1-db",
  title: "Kill node1's database only",
  expects: {
    hardened: "HAProxy fails over to node2 within 2 s; no acknowledged write lost",
    seed: "HAProxy keeps routing to node1 and requests fail while its database is dead; firedrill reports the outage",
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
    return { verdicts: Object.values(v), figures, expectations };
  },
};
