import os from "node:os";
import { dockerClient } from "../engine/docker-client.ts";
import type { Progress } from "../progress/progress.ts";
import { LABEL_FIREDRILL, LABEL_HOST, LABEL_PID, LABEL_RUN } from "./labels.ts";

export interface LabeledThing {
  run: string;
  pid: number;
  host: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A run is abandoned when it was started on this host, its creating process is gone, and it did not
 * leave a lab on purpose (`keep`: runs recorded by `up`). Runs from other hosts are never judged.
 */
export function abandonedRuns(
  things: readonly LabeledThing[],
  keep: (runId: string) => boolean,
  alive: (pid: number) => boolean = processAlive,
  hostname = os.hostname(),
): string[] {
  const runs = new Set<string>();
  for (const t of things) {
    if (t.host !== hostname || keep(t.run)) continue;
    if (!Number.isInteger(t.pid) || t.pid <= 0 || !alive(t.pid)) runs.add(t.run);
  }
  return [...runs].sort();
}

function labeled(labels: Record<string, string> | undefined): LabeledThing {
  return {
    run: labels?.[LABEL_RUN] ?? "",
    pid: Number(labels?.[LABEL_PID]),
    host: labels?.[LABEL_HOST] ?? "",
  };
}

/**
 * Removes every container (with its anonymous volumes) and network carrying the filter's labels.
 * Named volumes are never removed here: the machines provider's image caches
 * (`firedrill.cache=machine-images`) outlive every run, reaped or not; only `down --cache` and
 * `images --prune` remove them.
 */
export async function removeLabeled(
  labelFilters: string[],
  progress?: Progress,
): Promise<{ containers: number; networks: number }> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: labelFilters });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map(async (c) => {
      progress?.detail(`removing container ${c.Names[0]?.replace(/^\//, "") ?? c.Id.slice(0, 12)}`);
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((err: { statusCode?: number }) => {
          // 404: already gone; 409: removal already in progress. Both end where we want.
          if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
        });
    }),
  );
  const networks = await docker.listNetworks({ filters });
  for (const n of networks) {
    progress?.detail(`removing network ${n.Name}`);
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
  }
  return { containers: containers.length, networks: networks.length };
}

/**
 * Removes a run's containers and networks while the run may still be creating them (Ctrl-C in the
 * middle of `up`): a create request already sent completes after the first listing, and a network
 * with a late endpoint refuses removal (403), and the run's own start-up code keeps going until the
 * process exits. So rounds repeat until two in a row, `intervalMs` apart, find nothing, bounded by
 * `timeoutMs`.
 */
export async function removeLabeledSettled(
  labelFilters: string[],
  { timeoutMs = 20_000, intervalMs = 1000 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  for (;;) {
    let found = 0;
    try {
      const r = await removeLabeled(labelFilters);
      found = r.containers + r.networks;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      found = 1; // e.g. a network still holding an endpoint created late: go round again
    }
    quietRounds = found === 0 ? quietRounds + 1 : 0;
    if (quietRounds >= 2) return;
    if (Date.now() >= deadline) {
      if (found === 0) return;
      throw new Error(`${labelFilters.join(",")}: still present after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Reaps what killed runs left behind on this host. */
export async function reapAbandoned(keep: (runId: string) => boolean, progress: Progress): Promise<string[]> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`] });
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  const things = [...containers.map((c) => labeled(c.Labels)), ...networks.map((n) => labeled(n.Labels))];
  const runs = abandonedRuns(things, keep);
  for (const run of runs) {
    progress.step(`reaping lab ${run} left by a process that is gone`);
    await removeLabeled([`${LABEL_RUN}=${run}`], progress);
  }
  return runs;
}
