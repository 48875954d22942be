import type Docker from "dockerode";
import type { ProfileName } from "../../config/profiles.ts";
import { LABEL_ROLE, LABEL_SERVER, runLabels } from "../../lab/labels.ts";
import type { Progress } from "../../progress/progress.ts";
import { serverNames, type ServerName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { freePort } from "../testcontainers/free-port.ts";
import type { VagrantTable } from "../vagrant/vagrant-table.ts";
import type { MachineHandle } from "./machine-access.ts";
import { CACHE_SLOTS, cacheVolumeName, ensureCacheVolume, volumeUsers } from "./machine-cache-volumes.ts";
import { machineCreateOptions, machinePorts, type Isolation, type PublishedPorts } from "./machine-plan.ts";

export interface Machines {
  handles: Record<ServerName, MachineHandle>;
  published: PublishedPorts;
  slot: number;
}

/**
 * Creates and starts the four machines: fixed addresses, ports pinned on 127.0.0.1 (so a machine
 * powered off and on keeps them), the image cache of the first slot no other container holds. The
 * hold is checked after creating (two runs that raced both see each other then, and the later one
 * moves on); a port another process took in between fails the start, and the attempt is redone.
 */
export async function startMachines(
  docker: Docker,
  o: { runId: string; profile: ProfileName; progress: Progress },
  table: VagrantTable,
  image: string,
  isolation: Isolation,
  cgroupVersion: string,
  network: string,
  addresses: Record<ServerName, string>,
  publicKey: string,
): Promise<Machines> {
  const ports = machinePorts(table);
  const labels = runLabels(o.runId, o.profile);
  const names = serverNames.map((s) => `${o.runId}-${s}`);
  let slot = 0;
  for (let attempt = 0; attempt < CACHE_SLOTS + 3; attempt++) {
    if (slot >= CACHE_SLOTS)
      throw new Error(
        `every machine image cache (${CACHE_SLOTS} slots) is held by another machines lab; remove one with its run label`,
      );
    const published = {} as PublishedPorts;
    const created: Docker.Container[] = [];
    try {
      for (const server of serverNames) {
        published[server] = {};
        for (const p of ports[server]) published[server][p] = await freePort();
        const volume = await ensureCacheVolume(docker, slot, server);
        created.push(
          await docker.createContainer(
            machineCreateOptions({
              name: `${o.runId}-${server}`,
              server,
              image,
              isolation,
              cgroupVersion,
              network,
              address: addresses[server],
              cacheVolume: volume,
              ports: published[server],
              labels: { ...labels, [LABEL_ROLE]: "machine", [LABEL_SERVER]: server },
              publicKey,
            }),
          ),
        );
      }
      const held = (
        await Promise.all(
          serverNames.map(async (s) =>
            (await volumeUsers(docker, cacheVolumeName(slot, s), names)).map((u) => `${s}: ${u}`),
          ),
        )
      ).flat();
      if (held.length > 0) {
        o.progress.detail(`image cache slot ${slot} is held (${held.join(", ")}); trying slot ${slot + 1}`);
        slot++;
        throw new RetryMachines();
      }
      await Promise.all(created.map((c) => c.start()));
      const handles = {} as Record<ServerName, MachineHandle>;
      for (const s of serverNames)
        handles[s] = {
          name: `${o.runId}-${s}`,
          address: addresses[s],
          iface: "",
          sshPort: published[s][22]!,
        };
      return { handles, published, slot };
    } catch (err) {
      await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => undefined)));
      if (err instanceof RetryMachines) continue;
      if (!/port is already allocated|address already in use/i.test(describe(err))) throw err;
      o.progress.detail(`a published port was taken meanwhile (${describe(err).split("\n")[0]}); again`);
    }
  }
  throw new Error(
    "could not start the machines after several attempts (ports or image caches kept changing)",
  );
}

class RetryMachines extends Error {}
