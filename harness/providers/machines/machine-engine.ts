import net from "node:net";
import type Docker from "dockerode";
import { demuxLogs } from "../../engine/demux-logs.ts";
import { describe } from "../../util/errors.ts";

/**
 * What the machines provider does on this machine's engine: bounded execs in a machine, its log
 * tail, readiness, the isolation probe, the run's network, the image cache volumes and image loads.
 * This file holds the execs, the log tail and readiness; the others have files of their own
 * (machine-isolation-probe.ts, machine-network.ts, machine-cache-volumes.ts, machine-images.ts).
 */

/** Where machine-init says the machine's sshd and engine run (removed at each boot). */
const READY_FILE = "/run/firedrill-machine/ready";

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
