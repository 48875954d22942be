import { LABEL_FIREDRILL, LABEL_RUN } from "../lab/labels.ts";
import { dockerClient } from "../engine/docker-client.ts";

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
