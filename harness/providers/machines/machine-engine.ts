import net from "node:net";
import type Docker from "dockerode";
import { $ } from "zx";
import { demuxLogs } from "../../engine/demux-logs.ts";
import { LABEL_FIREDRILL, LABEL_SERVER } from "../../lab/labels.ts";
import { describe } from "../../util/errors.ts";
import {
  CACHE_KIND,
  chooseIsolation,
  isolations,
  LABEL_CACHE,
  machineCreateOptions,
  type Isolation,
  type IsolationProbe,
} from "./machine-plan.ts";
import type { ServerName } from "../../topology/topology.ts";

/**
 * What the machines provider does on this machine's engine: bounded execs in a machine, its log
 * tail, readiness, the isolation probe, the run's network, the image cache volumes and image loads.
 */

/** Where machine-init says the machine's sshd and engine run (removed at each boot). */
const READY_FILE = "/run/firedrill-machine/ready";

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** Rejects after `ms` with what timed out; the operation itself is left to finish or fail. */
export function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer after ${(ms / 1000).toFixed(0)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs a command as root in a machine container (`docker exec`), output and exit code; never throws
 * on a non-zero exit. A command still running after `timeoutMs` is reported as exit 124 (as
 * timeout(1) does) with what it printed so far.
 */
export async function execIn(
  container: Docker.Container,
  argv: readonly string[],
  timeoutMs: number,
): Promise<{ exitCode: number; output: string }> {
  const exec = await withTimeout(
    "docker exec",
    10_000,
    container.exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, User: "root" }),
  );
  const stream = await withTimeout("docker exec", 10_000, exec.start({ hijack: true, stdin: false }));
  const chunks: Buffer[] = [];
  const ended = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    stream.on("data", (c: Buffer) => chunks.push(c));
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    stream.on("end", done);
    stream.on("close", done);
    stream.on("error", done);
  });
  const output = demuxLogs(Buffer.concat(chunks));
  if (!ended) {
    stream.destroy();
    return { exitCode: 124, output: `${output}\n(timed out after ${(timeoutMs / 1000).toFixed(0)} s)` };
  }
  // The exit code is set a moment after the stream ends.
  for (let i = 0; i < 20; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, output };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { exitCode: 125, output: `${output}\n(no exit code reported)` };
}

/** The last lines a machine wrote (its init, sshd and dockerd), for an error that must say why. */
export async function machineLogTail(container: Docker.Container, lines = 30): Promise<string> {
  try {
    const buf = (await withTimeout(
      "docker logs",
      10_000,
      container.logs({ stdout: true, stderr: true, tail: lines, follow: false }),
    )) as unknown as Buffer;
    return demuxLogs(buf).trimEnd();
  } catch (err) {
    return `(its log could not be read: ${describe(err)})`;
  }
}

/** Whether an SSH server answers on 127.0.0.1:port (its banner), within `ms`. */
export function sshBanner(port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let text = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => finish(false));
    socket.on("data", (d) => {
      text += d.toString("latin1");
      if (text.includes("\n")) finish(text.startsWith("SSH-2.0-"));
    });
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(text.startsWith("SSH-2.0-")));
  });
}

/**
 * Waits until a machine's sshd answers on its published port and its engine runs (machine-init's
 * ready file), at most `timeoutMs`. A machine that exits, or never gets there, fails with its log
 * tail, read here, before anyone removes it.
 */
export async function waitMachineReady(
  docker: Docker,
  name: string,
  sshPort: number,
  timeoutMs: number,
): Promise<void> {
  const container = docker.getContainer(name);
  const t0 = performance.now();
  let last = "not checked yet";
  for (let i = 0; ; i++) {
    const state = (await withTimeout("docker inspect", 10_000, container.inspect())).State;
    if (!state.Running || state.Paused) {
      const why = state.Running ? "is paused" : `exited (code ${state.ExitCode})`;
      throw new Error(
        `machine ${name} ${why} before it was ready; its log:\n${await machineLogTail(container)}`,
      );
    }
    const ready = await execIn(container, ["test", "-e", READY_FILE], 5000).catch((err: unknown) => ({
      exitCode: -1,
      output: describe(err),
    }));
    if (ready.exitCode !== 0) last = "its Docker engine is not running yet";
    else if (!(await sshBanner(sshPort))) last = `no SSH banner on 127.0.0.1:${sshPort}`;
    else return;
    const elapsed = performance.now() - t0;
    if (elapsed >= timeoutMs || i >= 10_000)
      throw new Error(
        `machine ${name} not ready after ${(elapsed / 1000).toFixed(0)} s (${last}); its log:\n${await machineLogTail(container)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Which network interface of a machine carries `address` (its link to the other machines). */
export async function interfaceOf(container: Docker.Container, address: string): Promise<string> {
  const r = await execIn(container, ["ip", "-o", "-4", "addr", "show"], 10_000);
  for (const line of r.output.split("\n")) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (m && m[2] === address) return m[1]!.replace(/@.*$/, "");
  }
  throw new Error(`no interface carries ${address}:\n${r.output.trim()}`);
}

let isolationProbe: Promise<IsolationProbe> | undefined;

/**
 * Starts a throwaway machine container (its command `true`) in each mode, privileged first, and
 * keeps the engine's answers: the engine refuses a mode when it starts the container, not when it
 * creates it. Once per process (the answer does not change while the engine runs).
 */
export async function probeIsolation(
  docker: Docker,
  image: string,
  cgroupVersion: string,
  labels: Record<string, string>,
): Promise<{ ok: true; isolation: Isolation } | { ok: false; reason: string }> {
  isolationProbe ??= (async () => {
    const probe = {} as IsolationProbe;
    for (const mode of isolations) {
      const o = machineCreateOptions({
        name: `firedrill-machine-probe-${process.pid}-${mode}`,
        server: "control1",
        image,
        isolation: mode,
        cgroupVersion,
        network: "none",
        address: "",
        cacheVolume: "",
        ports: {},
        labels: { ...labels, "firedrill.role": "machine-probe" },
        publicKey: "",
      });
      let c: Docker.Container | undefined;
      try {
        c = await docker.createContainer({
          ...o,
          Entrypoint: ["true"],
          NetworkingConfig: undefined,
          HostConfig: {
            ...o.HostConfig,
            Binds: (o.HostConfig.Binds ?? []).filter((b) => !b.endsWith(":/var/lib/docker")),
            PortBindings: {},
            NetworkMode: "none",
          },
        });
        await withTimeout(`starting a ${mode} machine`, 30_000, c.start());
        await withTimeout(`a ${mode} machine's exit`, 30_000, c.wait());
        probe[mode] = undefined;
        break;
      } catch (err) {
        probe[mode] = describe(err).replace(/^\(HTTP code \d+\) [a-z ]+- /, "");
      } finally {
        await c?.remove({ force: true }).catch(() => undefined);
      }
    }
    for (const mode of isolations) if (!(mode in probe)) probe[mode] = undefined;
    return probe;
  })();
  const probe = await isolationProbe;
  // A mode after the accepted one was not tried: it does not matter.
  return chooseIsolation(probe);
}

/**
 * The run's network with a subnet the engine chose (so it never clashes with the engine's other
 * networks or a developer's host-only network) and that the machines can have fixed addresses on:
 * the engine only grants a fixed address on a subnet given at creation, so the network is created
 * once to learn the engine's choice, then again with it. Bounded retries if another network takes
 * that subnet in between.
 */
export async function createLabNetwork(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<{ subnet: string; gateway: string }> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const probe = await docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels });
    const info = (await probe.inspect()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
    await probe.remove();
    const cfg = info.IPAM?.Config?.find((c) => c.Subnet && /^\d+\.\d+\.\d+\.\d+\//.test(c.Subnet));
    if (!cfg?.Subnet) throw new Error(`the engine gave network ${name} no IPv4 subnet`);
    const gateway = cfg.Gateway ?? cfg.Subnet.replace(/\.\d+\/\d+$/, ".1");
    try {
      await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        Labels: labels,
        IPAM: { Driver: "default", Config: [{ Subnet: cfg.Subnet, Gateway: gateway }] },
      });
      return { subnet: cfg.Subnet, gateway };
    } catch (err) {
      last = err;
      if (!/overlap/i.test(describe(err))) throw err;
    }
  }
  throw new Error(`network ${name}: no free subnet after 3 tries: ${describe(last)}`);
}

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

/** The images (of `wanted`) a machine's engine lacks. */
export async function missingImages(
  container: Docker.Container,
  wanted: readonly string[],
): Promise<string[]> {
  const r = await execIn(
    container,
    [
      "sh",
      "-c",
      'for t; do docker image inspect --format . "$t" >/dev/null 2>&1 || echo "$t"; done',
      "sh",
      ...wanted,
    ],
    30_000,
  );
  if (r.exitCode !== 0) throw new Error(`checking the images of ${wanted.join(", ")}: ${r.output.trim()}`);
  return r.output.split("\n").filter((t) => wanted.includes(t));
}

/**
 * Loads images from this machine's engine into a machine's engine: `docker save | docker exec -i
 * <machine> docker load`, one stream for all of them (layers they share go once).
 */
export async function loadImages(machine: string, tags: readonly string[], timeoutMs: number): Promise<void> {
  if (tags.length === 0) return;
  const r = await $({
    nothrow: true,
    quiet: true,
    timeout: timeoutMs,
  })`docker save ${tags} | docker exec -i ${machine} docker load`;
  if (r.exitCode !== 0)
    throw new Error(
      `loading ${tags.join(", ")} into ${machine} failed (exit ${r.exitCode}${r.signal ? `, ${r.signal}` : ""}): ${r.stderr.trim().split("\n").slice(-5).join(" / ")}`,
    );
}
