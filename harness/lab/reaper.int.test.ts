/**
 * Ctrl-C in the middle of `up`: the run's start-up code keeps creating containers while the signal
 * cleanup removes them. Planted here: a container (and its network) created a moment after removal
 * began. A single listing misses it (the race is real); the settled removal does not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../engine/docker-client.ts";
import { ensureBaseImage } from "../images/base-image.ts";
import { stderrProgress } from "../progress/progress.ts";
import { LABEL_RUN, runLabels } from "./labels.ts";
import { removeLabeled, removeLabeledSettled } from "./reaper.ts";
import { newRunId } from "./run-id.ts";

let image = "";
const runs: string[] = [];

async function lateCreate(runId: string, afterMs: number) {
  await new Promise((r) => setTimeout(r, afterMs));
  const docker = dockerClient();
  const net = await docker.createNetwork({
    Name: `firedrill-${runId}`,
    Labels: runLabels(runId, "hardened"),
  });
  await docker.createContainer({
    name: `${runId}-late`,
    Image: image,
    Cmd: ["sleep", "60"],
    Labels: runLabels(runId, "hardened"),
    HostConfig: { NetworkMode: net.id },
  });
}

async function leftovers(runId: string): Promise<number> {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const docker = dockerClient();
  const [cs, ns] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return cs.length + ns.length;
}

describe("removing a run that is still being created", () => {
  beforeAll(async () => {
    image = (await ensureBaseImage(stderrProgress({ prefix: "base" }))).tag;
  }, 300_000);
  afterAll(async () => {
    for (const run of runs) await removeLabeled([`${LABEL_RUN}=${run}`]);
  });

  it("one listing misses a container created after it (the planted race)", async () => {
    const runId = newRunId();
    runs.push(runId);
    const late = lateCreate(runId, 300);
    await removeLabeled([`${LABEL_RUN}=${runId}`]);
    await late;
    expect(await leftovers(runId)).toBe(2);
  });

  it("the settled removal waits it out and removes it with its network", async () => {
    const runId = newRunId();
    runs.push(runId);
    const late = lateCreate(runId, 300);
    await removeLabeledSettled([`${LABEL_RUN}=${runId}`], { intervalMs: 1000 });
    await late;
    expect(await leftovers(runId)).toBe(0);
  });
});
