import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { stringify } from "yaml";
import { $, which } from "zx";
import type { ProfileName } from "../../config/profiles.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { ImageTags } from "../../images/build-images.ts";
import { ProviderUnavailableError, type Lab, refuseMutation } from "../../lab/lab.ts";
import { LABEL_ROLE, LABEL_RUN, LABEL_SERVER, runLabels } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { onInterrupt } from "../../lab/signal-cleanup.ts";
import { type Mutation } from "../../config/mutation.ts";
import type { Progress } from "../../progress/progress.ts";
import { serverNames, servicesOn, type ServerName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { newAnsibleSecrets, runPlaybook, teardownVars, type PlaybookRun } from "../ansible/ansible-deploy.ts";
import { attachExistingLab } from "../existing/existing-provider.ts";
import { freePort } from "../testcontainers/free-port.ts";
import { readVagrantTable, type VagrantTable } from "../vagrant/vagrant-table.ts";
import { MachineAccess, type MachineHandle } from "./machine-access.ts";
import {
  CACHE_SLOTS,
  cacheVolumeName,
  createLabNetwork,
  ensureCacheVolume,
  execIn,
  interfaceOf,
  loadImages,
  missingImages,
  probeIsolation,
  volumeUsers,
  waitMachineReady,
} from "./machine-engine.ts";
import {
  machineAddresses,
  machineCreateOptions,
  machineInventory,
  machinePorts,
  type Isolation,
  type PublishedPorts,
} from "./machine-plan.ts";

export interface MachinesUpOptions {
  runId: string;
  profile: ProfileName;
  /** cluster/ (servers.yml, the Ansible tree, the images). */
  clusterDir: string;
  /** The run's private folder (its SSH key) goes under `<stateDir>/machines/<run id>`. */
  stateDir: string;
  progress: Progress;
  /** The lab's images and the machine image, built here; called once the tools are known to be there. */
  images: () => Promise<{ lab: ImageTags; machine: string }>;
  /** Refused: the Ansible deployment plants nothing (mutants run on the testcontainers provider). */
  mutation?: Mutation;
  /** How long each machine may take to answer SSH with its engine running (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * How many machines load images at once (default 4, all of them: on 2 cores a cold load of the four
   * caches took 60 s four at a time against 72 s two at a time; the streams wait on disk and engines).
   */
  loadConcurrency?: number;
}

/** What the machines provider needs here besides Docker; the reason says what to install. */
export async function machineTools(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const needs: [string, string][] = [
    ["ansible-playbook", "apt-get install ansible"],
    ["ssh", "apt-get install openssh-client"],
    ["ssh-keygen", "apt-get install openssh-client"],
    ["docker", "the docker CLI (apt-get install docker.io), to stream images into the machines"],
  ];
  for (const [cmd, how] of needs)
    if (!(await which(cmd, { nothrow: true })))
      return { ok: false, reason: `${cmd} is not installed (${how})` };
  return { ok: true };
}

/** Images each server's engine needs: its services', and the network-admin helper the faults use. */
export function imagesFor(server: ServerName, tags: ImageTags): string[] {
  const names = new Set([
    ...servicesOn(server).flatMap((s) => (s.image ? [s.image] : [])),
    "netadmin" as const,
  ]);
  return [...names].map((n) => tags[n]).sort();
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Removes the private folders of runs whose machines are gone (a run killed before its `down`
 * leaves its key behind). Only folders older than ten minutes: a run starting right now has its
 * folder before its machines.
 */
async function sweepRunFolders(docker: Docker, dir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // No folder: no run left anything.
    return;
  }
  for (const run of names) {
    const folder = path.join(dir, run);
    if (Date.now() - statSync(folder).mtimeMs < 600_000) continue;
    const left = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${run}`] }),
    });
    if (left.length === 0) rmSync(folder, { recursive: true, force: true });
  }
}

interface Machines {
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
async function startMachines(
  docker: Docker,
  o: MachinesUpOptions,
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

/**
 * The seed's own shape for real: the four servers of cluster/vagrant/servers.yml as machine
 * containers on this machine's engine (each with its own Docker engine, sshd and a sudo user, as
 * kind and Molecule's docker driver stand in for hosts), the stack deployed into them by
 * cluster/ansible over SSH, then attached through the lab file the playbook writes, exactly as a
 * Vagrant or existing lab. Where a tool is missing, or the engine refuses machine containers, it
 * throws ProviderUnavailableError before starting anything. On any failure, and on Ctrl-C, what it
 * started is removed (the image caches stay); `down()` removes the machines, the network and the key.
 */
/**
 * A machines lab, with its Ansible deployment kept for the life of the lab: `rerun` runs stack.yml
 * again with the same variables (a second run must change nothing), `teardown` runs teardown.yml for
 * the run (it must leave none of the run's containers on the servers).
 */
export interface MachinesLab extends Lab {
  readonly deployment: { rerun(): Promise<PlaybookRun>; teardown(): Promise<PlaybookRun> };
}

export async function upMachinesLab(o: MachinesUpOptions): Promise<MachinesLab> {
  if (o.mutation) refuseMutation("machines");
  const { runId, profile, progress } = o;
  const tools = await machineTools();
  if (!tools.ok) throw new ProviderUnavailableError("machines", tools.reason);
  const table = readVagrantTable(o.clusterDir);
  const images = await o.images();
  const docker = dockerClient();
  const labels = runLabels(runId, profile);
  const info = (await docker.info()) as { CgroupVersion?: string };
  const cgroupVersion = info.CgroupVersion ?? "1";
  const probe = await probeIsolation(docker, images.machine, cgroupVersion, labels);
  if (!probe.ok) throw new ProviderUnavailableError("machines", probe.reason);

  const runsDir = path.join(o.stateDir, "machines");
  const runDir = path.join(runsDir, runId);
  await sweepRunFolders(docker, runsDir);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const cleanup = async () => {
    try {
      await removeLabeled([`${LABEL_RUN}=${runId}`], progress);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  };
  const forget = onInterrupt(cleanup);
  try {
    const keyFile = path.join(runDir, "id_ed25519");
    const keygen = await $({
      nothrow: true,
      quiet: true,
      timeout: "30s",
    })`ssh-keygen -q -t ed25519 -N '' -C ${`firedrill-${runId}`} -f ${keyFile}`;
    if (keygen.exitCode !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr.trim()}`);
    const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();

    const networkName = `firedrill-${runId}-machines`;
    progress.step(`machines lab ${runId} (${profile}): network, four machines (${probe.isolation})`);
    const { subnet, gateway } = await createLabNetwork(docker, networkName, labels);
    const addresses = machineAddresses(table, subnet, gateway);
    progress.detail(
      `network ${networkName} ${subnet}: ${serverNames.map((s) => `${s} ${addresses[s]}`).join(", ")}`,
    );
    const m = await startMachines(
      docker,
      o,
      table,
      images.machine,
      probe.isolation,
      cgroupVersion,
      networkName,
      addresses,
      publicKey,
    );
    progress.detail(`image cache slot ${m.slot}; waiting for sshd and dockerd in each machine`);
    const readyTimeoutMs = o.readyTimeoutMs ?? 60_000;
    await Promise.all(
      serverNames.map(async (s) => {
        await waitMachineReady(docker, m.handles[s].name, m.handles[s].sshPort, readyTimeoutMs);
        m.handles[s].iface = await interfaceOf(docker.getContainer(m.handles[s].name), addresses[s]);
      }),
    );

    progress.step("loading the images each machine lacks");
    const t0 = performance.now();
    await mapLimit(serverNames, o.loadConcurrency ?? 4, async (s) => {
      const t1 = performance.now();
      const missing = await missingImages(docker.getContainer(m.handles[s].name), imagesFor(s, images.lab));
      if (missing.length === 0) return progress.detail(`${s}: every image already in its cache`);
      progress.detail(`${s}: loading ${missing.map((t) => t.replace(/^firedrill\//, "")).join(", ")}`);
      await loadImages(m.handles[s].name, missing, 600_000);
      progress.detail(
        `${s}: loaded ${missing.length} images in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
    });
    progress.detail(`images ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const inventory = path.join(runDir, "hosts.yml");
    writeFileSync(
      inventory,
      stringify(
        machineInventory({
          keyFile,
          table,
          published: m.published,
          servers: Object.fromEntries(
            serverNames.map((s) => [s, { sshPort: m.handles[s].sshPort, address: addresses[s] }]),
          ) as Record<ServerName, { sshPort: number; address: string }>,
        }),
      ),
      { mode: 0o600 },
    );
    // The lab file (the run's credentials, mode 0600) and the inventory stay in the run's own 0700
    // folder until down removes it: a second deployment run then finds its own output unchanged.
    const labFile = path.join(runDir, "lab.json");
    // The run's credentials live in memory only (the lab file is removed once read); kept for the
    // deployment's second run and its teardown.
    const deployment = {
      clusterDir: o.clusterDir,
      inventory,
      vars: {
        firedrill_run_id: runId,
        firedrill_profile: profile,
        firedrill_images: images.lab,
        firedrill_secrets: newAnsibleSecrets(),
        firedrill_lab_file: labFile,
        firedrill_owner_pid: String(process.pid),
        firedrill_owner_host: os.hostname(),
      },
      progress,
      timeoutMs: 900_000,
    };
    try {
      await runPlaybook({ ...deployment, playbook: "stack.yml" });
      const lab = await attachExistingLab(labFile, { progress, timeoutMs: 60_000 });
      const servers = new MachineAccess(docker, m.handles, { readyTimeoutMs });
      let downed: Promise<void> | undefined;
      const down = async () => {
        progress.step(`removing machines lab ${runId} (the image caches stay)`);
        try {
          // Leaves each cache with images only: the next machine on it then boots without old containers.
          await Promise.all(
            serverNames.map((s) =>
              execIn(
                docker.getContainer(m.handles[s].name),
                [
                  "sh",
                  "-c",
                  "docker rm -f -v $(docker ps -aq) >/dev/null 2>&1; docker network prune -f >/dev/null",
                ],
                20_000,
              ).catch(() => undefined),
            ),
          );
          await cleanup();
        } finally {
          forget();
        }
      };
      return Object.assign(lab, {
        servers,
        deployment: {
          rerun: () => runPlaybook({ ...deployment, playbook: "stack.yml" }),
          teardown: () =>
            runPlaybook({ ...deployment, playbook: "teardown.yml", vars: teardownVars(deployment.vars) }),
        },
        down: () => (downed ??= down()),
        [Symbol.asyncDispose]: () => (downed ??= down()),
      });
    } catch (err) {
      rmSync(labFile, { force: true });
      throw err;
    }
  } catch (err) {
    forget();
    await cleanup().catch((e: unknown) =>
      progress.warn(`removing machines lab ${runId} failed: ${describe(e)}`),
    );
    throw err;
  }
}
