/**
 * The host's tools that tests drive (chromium, Ansible, Vagrant, ssh, the docker CLI), set up by
 * `pnpm test` itself as it sets up Docker: before the tests, each project's global setup checks its
 * tools (PATH and file checks in-process; a package without a command through `dpkg-query`), and
 * only when one is missing, on Debian or Ubuntu, installs its package with apt-get: as root directly,
 * otherwise through `sudo -n` when that works without a password (CI runners). Where neither works it
 * prints one line per tool saying what to install, and the tests that need it are reported skipped
 * with their reason, as before.
 */
import { existsSync } from "node:fs";
import type { Progress } from "../progress/progress.ts";
import { findOnPath } from "../util/find-on-path.ts";
import { run } from "../util/run.ts";
import { aptInstall, sudoWithoutPassword, type AptRunner } from "./apt.ts";
import { describeHost, type EngineHost } from "./engine-bootstrap.ts";

export type ToolCheck =
  /** An executable on PATH. */
  | { command: string }
  /** A file at a fixed path (Debian's chromium, which the report test launches by path). */
  | { file: string }
  /** A Debian package with no command of its own (python3-docker): `dpkg-query`. */
  | { dpkgPackage: string };

export interface HostTool {
  /** What the lines call it. */
  name: string;
  check: ToolCheck;
  /** The Debian and Ubuntu package that provides it. */
  pkg: string;
  /** The tests that need it, for the lines. */
  neededBy: string;
  /** Install with the package's recommended packages (docker.io: ca-certificates, xz-utils). */
  withRecommends?: boolean;
}

/** A tool found as an executable of its own name on PATH (most of them). */
const commandTool = (name: string, pkg: string, neededBy: string): HostTool => ({
  name,
  check: { command: name },
  pkg,
  neededBy,
});

/** A Debian package with no command of its own, named as its package. */
const packageTool = (pkg: string, neededBy: string): HostTool => ({
  name: pkg,
  check: { dpkgPackage: pkg },
  pkg,
  neededBy,
});

/** What the unit project's tests drive; each such test is skipped with its reason without it. */
export const UNIT_TOOLS: readonly HostTool[] = [
  {
    name: "chromium",
    check: { file: "/usr/bin/chromium" },
    pkg: "chromium",
    neededBy: "the report opened in a real browser",
  },
  commandTool("ansible-playbook", "ansible", "the Ansible role's render, plan and --syntax-check tests"),
  commandTool("ansible-lint", "ansible-lint", "ansible-lint of cluster/ansible"),
  commandTool("vagrant", "vagrant", "`vagrant validate` of the Vagrant lab"),
];

/** What the integration project's tests drive besides the engine (engine-bootstrap.ts starts that). */
export const INTEGRATION_TOOLS: readonly HostTool[] = [
  commandTool("ansible-playbook", "ansible", "the Ansible deployment and the machines provider"),
  packageTool("python3-docker", "Ansible's community.docker modules (the Ansible deployment)"),
  commandTool("ssh", "openssh-client", "the machines provider"),
  commandTool("ssh-keygen", "openssh-client", "the machines provider (its run's key)"),
  {
    ...commandTool("docker", "docker.io", "the machines provider (streams images into the machines)"),
    withRecommends: true,
  },
];

/** Whether an executable file called `name` is on PATH, as a shell would find it (no subprocess). */
export function onPathSync(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return findOnPath(name, env) !== undefined;
}

/** Whether dpkg lists `pkg` as installed (false where there is no dpkg). */
export async function dpkgInstalled(pkg: string): Promise<boolean> {
  try {
    const r = await run(["dpkg-query", "-W", "-f=${db:Status-Status}", pkg], { timeoutMs: 10_000 });
    return r.exitCode === 0 && r.stdout.trim() === "installed";
  } catch {
    // No dpkg-query at all: not a Debian system, so not installed as a Debian package.
    return false;
  }
}

export async function toolPresent(check: ToolCheck, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if ("command" in check) return onPathSync(check.command, env);
  if ("file" in check) return existsSync(check.file);
  return dpkgInstalled(check.dpkgPackage);
}

export async function missingTools(
  tools: readonly HostTool[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostTool[]> {
  const present = await Promise.all(tools.map((t) => toolPresent(t.check, env)));
  return tools.filter((_, i) => !present[i]);
}

/** How packages can be installed here: apt-get as root, through `sudo -n`, or not at all (and why). */
export type InstallVia = { via: "root" } | { via: "sudo" } | { via: "none"; why: string };

export function installVia(host: EngineHost, sudoWorks: boolean, aptGet: boolean): InstallVia {
  if (!host.isDebianLike) return { via: "none", why: "not Debian or Ubuntu" };
  if (!aptGet) return { via: "none", why: "no apt-get on PATH" };
  if (host.isRoot) return { via: "root" };
  if (sudoWorks) return { via: "sudo" };
  return { via: "none", why: "not root, and `sudo -n` needs a password" };
}

export interface HostToolsResult {
  /** Tools that were missing and are now installed. */
  installed: HostTool[];
  /** Tools still missing, with why (their tests are reported skipped). */
  missing: { tool: HostTool; why: string }[];
}

export interface EnsureToolsOptions {
  env?: NodeJS.ProcessEnv;
  host?: EngineHost;
  sudo?: () => Promise<boolean>;
  runner?: AptRunner;
  /** Whether a tool is present (default: its check, here). */
  present?: (t: HostTool) => Promise<boolean>;
  /** Whether apt-get is here (default: on PATH). */
  aptGet?: boolean;
}

const aptHint = (pkgs: readonly string[]) => `apt-get install ${[...new Set(pkgs)].join(" ")}`;

/**
 * Makes sure `tools` are here before the tests run. Nothing is run when they all are (in-process
 * checks, and `dpkg-query` for a package without a command). Otherwise one line per missing tool:
 * what is installed and how, or what to install by hand; a tool that stays missing is reported with
 * its reason, never an error: its tests are skipped with theirs.
 */
export async function ensureHostTools(
  tools: readonly HostTool[],
  progress: Progress,
  o: EnsureToolsOptions = {},
): Promise<HostToolsResult> {
  const env = o.env ?? process.env;
  const present = o.present ?? ((t: HostTool) => toolPresent(t.check, env));
  const isMissing = async (list: readonly HostTool[]) => {
    const here = await Promise.all(list.map(present));
    return list.filter((_, i) => !here[i]);
  };
  const missing = await isMissing(tools);
  if (missing.length === 0) return { installed: [], missing: [] };

  const host = o.host ?? describeHost(env);
  const needSudo = !host.isRoot && host.isDebianLike;
  const sudoWorks = needSudo ? await (o.sudo ?? sudoWithoutPassword)() : false;
  const how = installVia(host, sudoWorks, o.aptGet ?? onPathSync("apt-get", env));
  if (how.via === "none") {
    for (const t of missing)
      progress.warn(
        `${t.name} is missing (${t.neededBy}): install it (${aptHint([t.pkg])} as root); ${how.why}, so firedrill does not; those tests are reported skipped`,
      );
    return { installed: [], missing: missing.map((tool) => ({ tool, why: how.why })) };
  }

  const through = how.via === "sudo" ? "apt-get through sudo -n" : "apt-get";
  for (const t of missing)
    progress.step(`installing ${t.pkg} for ${t.neededBy} (${t.name} is missing; ${through})`);
  const failures = new Map<string, string>();
  for (const withRecommends of [false, true]) {
    const pkgs = [
      ...new Set(missing.filter((t) => Boolean(t.withRecommends) === withRecommends).map((t) => t.pkg)),
    ];
    for (const f of await aptInstall(how.via, pkgs, { withRecommends, runner: o.runner }))
      failures.set(f.pkg, f.why);
  }
  const still = new Set(await isMissing(missing));
  const result: HostToolsResult = { installed: missing.filter((t) => !still.has(t)), missing: [] };
  for (const t of still) {
    const why =
      failures.get(t.pkg)?.split("\n").slice(0, 3).join(" / ") ??
      `${t.pkg} installed, but ${t.name} is still not found`;
    progress.warn(
      `${t.name} could not be installed (${t.neededBy}): ${why}; those tests are reported skipped`,
    );
    result.missing.push({ tool: t, why });
  }
  return result;
}
