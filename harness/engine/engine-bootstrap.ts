import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Progress } from "../progress/progress.ts";
import { UserError } from "../util/errors.ts";
import { aptInstall } from "./apt.ts";
import { engineAddress, engineAnswers, probeEngine } from "./docker-client.ts";

export interface EngineHost {
  isRoot: boolean;
  isDebianLike: boolean;
  dockerHostSet: boolean;
}

export function describeHost(env: NodeJS.ProcessEnv = process.env): EngineHost {
  let osRelease = "";
  try {
    osRelease = readFileSync("/etc/os-release", "utf8");
  } catch {
    osRelease = "";
  }
  return {
    isRoot: typeof process.getuid === "function" && process.getuid() === 0,
    isDebianLike: /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease),
    dockerHostSet: Boolean(env.DOCKER_HOST),
  };
}

/** Why firedrill will not start an engine itself here, or undefined when it may. */
export function refusalReason(host: EngineHost, address: string): string | undefined {
  const doWhat =
    "start Docker (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at a running engine, then run again";
  if (host.dockerHostSet) return `no Docker engine answers at ${address}; ${doWhat}`;
  if (!host.isRoot)
    return `no Docker engine answers at ${address} and firedrill only installs one when run as root; ${doWhat}`;
  if (!host.isDebianLike)
    return `no Docker engine answers at ${address} and firedrill installs one only on Debian/Ubuntu; ${doWhat}`;
  return undefined;
}

/**
 * Makes sure a Docker engine answers. An engine that already answers is never touched. Otherwise,
 * only as root on Debian/Ubuntu with no DOCKER_HOST, installs Debian's docker.io and starts dockerd
 * (overlay2, falling back to vfs) with its log in `logFile`.
 */
export async function ensureEngine(
  progress: Progress,
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const probe = await probeEngine();
  if (probe.ok) return;
  if (probe.code === "EACCES") {
    throw new UserError(
      `the Docker engine at ${engineAddress(env)} refuses this user (permission denied); add the user to the docker group and log in again, or run as root`,
    );
  }
  const reason = refusalReason(describeHost(env), engineAddress(env));
  if (reason) throw new UserError(reason);

  if (!(await commandExists("dockerd"))) {
    progress.step("no Docker engine: installing Debian's docker.io (apt-get)");
    const [failed] = await aptInstall("root", ["docker.io"], { withRecommends: true });
    if (failed) throw new UserError(`installing docker.io failed: ${failed.why}`);
  }
  for (const driver of ["overlay2", "vfs"]) {
    progress.step(`starting dockerd (storage driver ${driver}); log: ${logFile}`);
    const child = startDockerd(driver, logFile);
    if (await waitForEngine(30_000)) {
      progress.detail(`dockerd answers (pid ${child.pid})`);
      return;
    }
    progress.warn(`dockerd with ${driver} did not answer within 30 s; see ${logFile}`);
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new UserError(`dockerd did not start with overlay2 nor vfs; read ${logFile} for the reason`);
}

function startDockerd(driver: string, logFile: string) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, "a");
  // Detached with its own session: the engine must outlive this process (labs outlive `up`). A plain
  // spawn, not zx: zx's process is a promise of the child's end and output, and this child is meant
  // never to end while we run (its output goes to the log file, it is unref'd, and killed by pid).
  const child = spawn("dockerd", ["--storage-driver", driver], { detached: true, stdio: ["ignore", fd, fd] });
  child.unref();
  return child;
}

async function waitForEngine(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await engineAnswers(2000)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function commandExists(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    if (dir && existsSync(path.join(dir, name))) return true;
  }
  return false;
}
