import { expect } from "vitest";
import { LABEL_FIREDRILL, LABEL_RUN } from "../lab/labels.ts";
import { dockerClient } from "../engine/docker-client.ts";
import { slaveState } from "../db/replication.ts";
import type { ReplicaState } from "../store/observed.ts";
import { verifyRoundTrip } from "../db/replication-check.ts";
import type { Lab } from "../lab/lab.ts";

/** Everything (containers and networks) still carrying a run's label. */
export async function leftovers(runId: string): Promise<string[]> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`, `${LABEL_RUN}=${runId}`] });
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)];
}

export async function allFiredrill(): Promise<string[]> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`] });
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0]} (${c.Labels[LABEL_RUN]})`),
    ...networks.map((n) => `network ${n.Name}`),
  ];
}

/**
 * A row written on each node arrives on the other (within 20 s), and both replicas' threads and
 * settings are as `expected` says (e.g. the seed's file-and-position replication with
 * MASTER_CONNECT_RETRY=60, or the hardened GTID with 1 s retries).
 */
export async function expectReplicatesBothWays(lab: Lab, expected: Partial<ReplicaState>): Promise<void> {
  await verifyRoundTrip(
    { name: "node1", db: lab.endpoints.nodes.node1.db },
    { name: "node2", db: lab.endpoints.nodes.node2.db },
    20_000,
  );
  for (const n of ["node1", "node2"] as const)
    expect(await slaveState(lab.endpoints.nodes[n].db)).toMatchObject(expected);
}
