/**
 * apt-get for what firedrill installs on the host (docker.io for the engine, the tools tests drive):
 * as root, or through `sudo -n` where sudo needs no password; `apt-get update` once per process.
 */
import { describeFailure, run, type RunResult } from "../util/run.ts";

/** `sudo -n true`: sudo without a password prompt (CI runners), never waiting on one. */
export async function sudoWithoutPassword(): Promise<boolean> {
  try {
    return (await run(["sudo", "-n", "true"], { timeoutMs: 10_000 })).exitCode === 0;
  } catch {
    return false;
  }
}

/** Runs apt-get's argv; a seam for tests. */
export type AptRunner = (argv: readonly string[], o: { timeoutMs: number }) => Promise<RunResult>;

/**
 * apt-get as root or through `sudo -n` (sudo resets the environment: `env` sets DEBIAN_FRONTEND past
 * it), non-interactive, waiting up to 5 minutes for a dpkg lock another apt holds.
 */
export function aptArgv(via: "root" | "sudo", args: readonly string[]): string[] {
  const apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=300", ...args];
  return via === "sudo" ? ["sudo", "-n", ...apt] : apt;
}

// Per process: `apt-get update` once, however many packages are installed after it.
let listsUpdated = false;

/** Forgets that the package lists were updated (tests). */
export function resetAptState(): void {
  listsUpdated = false;
}

/**
 * Installs `pkgs` with apt-get (after one `apt-get update` per process). One call for them all; if
 * that fails (a package unknown on this release), one call per package, so the others still install.
 * Returns each package that could not be installed with why.
 */
export async function aptInstall(
  via: "root" | "sudo",
  pkgs: readonly string[],
  o: { withRecommends?: boolean; runner?: AptRunner } = {},
): Promise<{ pkg: string; why: string }[]> {
  const runner: AptRunner = o.runner ?? ((argv, ro) => run(argv, ro));
  if (pkgs.length === 0) return [];
  if (!listsUpdated) {
    const u = await runner(aptArgv(via, ["update", "-qq"]), { timeoutMs: 300_000 });
    if (u.exitCode !== 0 || u.timedOut) return pkgs.map((pkg) => ({ pkg, why: describeFailure(u, 5) }));
    listsUpdated = true;
  }
  const install = (names: readonly string[]) =>
    runner(
      aptArgv(via, [
        "install",
        "-y",
        "-qq",
        ...(o.withRecommends ? [] : ["--no-install-recommends"]),
        ...names,
      ]),
      { timeoutMs: 1_200_000 },
    );
  const ok = (r: RunResult) => r.exitCode === 0 && !r.timedOut;
  const all = await install(pkgs);
  if (ok(all)) return [];
  if (pkgs.length === 1) return [{ pkg: pkgs[0]!, why: describeFailure(all, 5) }];
  const failed: { pkg: string; why: string }[] = [];
  for (const pkg of pkgs) {
    const one = await install([pkg]);
    if (!ok(one)) failed.push({ pkg, why: describeFailure(one, 5) });
  }
  return failed;
}
