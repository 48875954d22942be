import type Docker from "dockerode";
import { LABEL_FIREDRILL, LABEL_SERVER } from "../../lab/labels.ts";
import type { ServerName } from "../../topology/topology.ts";
import { CACHE_KIND, LABEL_CACHE } from "./machine-plan.ts";

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** The image cache volume of one server, in one slot (a concurrent machines lab takes the next slot). */
export const cacheVolumeName = (slot: number, server: ServerName) =>
  `firedrill-machine-cache-${slot}-${server}`;
export const CACHE_SLOTS = 4;

export async function ensureCacheVolume(docker: Docker, slot: number, server: ServerName): Promise<string> {
  const name = cacheVolumeName(slot, server);
  // Creating an existing volume returns it unchanged: its images are what the cache keeps.
  await docker.createVolume({
    Name: name,
    Labels: {
      [LABEL_FIREDRILL]: "1",
      [LABEL_CACHE]: CACHE_KIND,
      [LABEL_SERVER]: server,
      "firedrill.cache-slot": String(slot),
    },
  });
  return name;
}

/** Containers (any state) that mount a volume, other than `except`. */
export async function volumeUsers(
  docker: Docker,
  volume: string,
  except: readonly string[],
): Promise<string[]> {
  const users = await docker.listContainers({ all: true, filters: JSON.stringify({ volume: [volume] }) });
  return users
    .map((c) => c.Names[0]?.replace(/^\//, "") ?? c.Id)
    .filter((n) => !except.includes(n))
    .sort();
}

/** Every machine image cache volume on this engine. */
export async function listCacheVolumes(docker: Docker): Promise<string[]> {
  const { Volumes } = await docker.listVolumes({
    filters: JSON.stringify({ label: [`${LABEL_CACHE}=${CACHE_KIND}`] }),
  });
  return (Volumes ?? []).map((v) => v.Name).sort();
}

/**
 * Removes the machine image caches no container uses (`down --cache`, `images --prune`); the ones a
 * running machines lab holds are kept and named.
 */
export async function removeCacheVolumes(docker: Docker): Promise<{ removed: string[]; inUse: string[] }> {
  const removed: string[] = [];
  const inUse: string[] = [];
  for (const name of await listCacheVolumes(docker)) {
    if ((await volumeUsers(docker, name, [])).length > 0) {
      inUse.push(name);
      continue;
    }
    try {
      await docker.getVolume(name).remove();
      removed.push(name);
    } catch (err) {
      if (statusOf(err) === 409) inUse.push(name);
      else if (statusOf(err) !== 404) throw err;
    }
  }
  return { removed, inUse };
}
