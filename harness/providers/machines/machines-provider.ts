import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { $, which } from "zx";
import type { ProfileName } from "../../config/profiles.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { ImageTags } from "../../images/build-images.ts";
import { ProviderUnavailableError, type Lab, refuseMutation } from "../../lab/lab.ts";
import { LABEL_RUN, runLabels } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { onInterrupt } from "../../lab/signal-cleanup.ts";
import { type Mutation } from "../../config/mutation.ts";
import type { Progress } from "../../progress/progress.ts";
import { serverNames, type ServerName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { newAnsibleSecrets, runPlaybook, teardownVars, type PlaybookRun } from "../ansible/ansible-deploy.ts";
import { attachExistingLab } from "../existing/existing-provider.ts";
import { readVagrantTable } from "../vagrant/vagrant-table.ts";
import { MachineAccess } from "./machine-access.ts";
import { execIn, interfaceOf, waitMachineReady } from "./machine-engine.ts";
import { loadMachineImages } from "./machine-images.ts";
import { probeIsolation } from "./machine-isolation-probe.ts";
import { createLabNetwork } from "./machine-network.ts";
import { machineAddresses, machineInventory } from "./machine-plan.ts";
import { startMachines } from "./start-machines.ts";
import { sweepRunFolders } from "./sweep-run-folders.ts";

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

/**
 * A machines lab, with its Ansible deployment kept for the life of the lab: `rerun` runs stack.yml
 * again with the same variables (a second run must change nothing), `teardown` runs teardown.yml for
 * the run (it must leave none of the run's containers on the servers).
 */
export interface MachinesLab extends Lab {
  readonly deployment: { rerun(): Promise<PlaybookRun>; teardown(): Promise<PlaybookRun> };
}

/**
 * The seed's own shape for real: the four servers of cluster/vagrant/servers.yml as machine
 * containers on this machine's engine (each with its own Docker engine, sshd and a sudo user, as
 * kind and Molecule's docker driver stand in for hosts), the stack deployed into them by
 * cluster/ansible over SSH, then attached through the lab file the playbook writes, exactly as a
 * Vagrant or existing lab. Where a tool is missing, or the engine refuses machine containers, it
 * throws ProviderUnavailableError before starting anything. On any failure, and on Ctrl-C, what it
 * started is removed (the image caches stay); `down()` removes the machines, the network and the key.
 */
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
    await loadMachineImages(docker, m.handles, images.lab, o.loadConcurrency ?? 4, progress);

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
