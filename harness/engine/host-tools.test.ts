import { beforeEach, describe, expect, it } from "vitest";
import type { Progress } from "../progress/progress.ts";
import { onPath, type RunResult } from "../util/run.ts";
import { aptArgv, aptInstall, resetAptState } from "./apt.ts";
import {
  dpkgInstalled,
  ensureHostTools,
  INTEGRATION_TOOLS,
  installVia,
  onPathSync,
  UNIT_TOOLS,
  type HostTool,
} from "./host-tools.ts";

const debianRoot = { isRoot: true, isDebianLike: true, dockerHostSet: false };
const debianUser = { isRoot: false, isDebianLike: true, dockerHostSet: false };

function recorder() {
  const lines: string[] = [];
  const progress: Progress = {
    step: (m) => lines.push(`step: ${m}`),
    detail: (m) => lines.push(`detail: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
  };
  return { lines, progress };
}

const result = (exitCode: number, output = ""): RunResult => ({
  command: "apt-get",
  exitCode,
  signal: null,
  timedOut: false,
  killedWith: null,
  stdout: output,
  stderr: "",
  output,
  seconds: 0.1,
});

/** A fake apt: records each argv; `install` makes the named packages' tools appear. */
function fakeApt(o: { unknown?: string[]; updateFails?: boolean } = {}) {
  const calls: string[][] = [];
  const installed = new Set<string>();
  const runner = async (argv: readonly string[]) => {
    calls.push([...argv]);
    const args = argv.slice(argv.indexOf("apt-get") + 3);
    if (args[0] === "update") return result(o.updateFails ? 100 : 0, o.updateFails ? "E: no network" : "");
    const pkgs = args.filter((a) => !a.startsWith("-") && a !== "install");
    const bad = pkgs.filter((p) => o.unknown?.includes(p));
    if (bad.length) return result(100, `E: Unable to locate package ${bad[0]}`);
    for (const p of pkgs) installed.add(p);
    return result(0);
  };
  const present = async (t: HostTool) => installed.has(t.pkg);
  return { calls, runner, present, installed };
}

const tool = (name: string, pkg: string, extra: Partial<HostTool> = {}): HostTool => ({
  name,
  pkg,
  check: { command: name },
  neededBy: `${name} tests`,
  ...extra,
});

beforeEach(() => resetAptState());

describe("ensureHostTools", () => {
  it("with every tool present runs nothing and prints nothing", async () => {
    const { lines, progress } = recorder();
    const apt = fakeApt();
    const r = await ensureHostTools([tool("a", "pa")], progress, {
      host: debianRoot,
      runner: apt.runner,
      present: async () => true,
      sudo: async () => {
        throw new Error("sudo asked");
      },
    });
    expect(r).toEqual({ installed: [], missing: [] });
    expect(apt.calls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("as root on Debian: one line per tool, apt-get update once, one install of every package", async () => {
    const { lines, progress } = recorder();
    const apt = fakeApt();
    const tools = [
      tool("ssh", "openssh-client"),
      tool("ssh-keygen", "openssh-client"),
      tool("vagrant", "vagrant"),
    ];
    const r = await ensureHostTools(tools, progress, {
      host: debianRoot,
      runner: apt.runner,
      present: apt.present,
      aptGet: true,
    });
    expect(lines).toEqual([
      "step: installing openssh-client for ssh tests (ssh is missing; apt-get)",
      "step: installing openssh-client for ssh-keygen tests (ssh-keygen is missing; apt-get)",
      "step: installing vagrant for vagrant tests (vagrant is missing; apt-get)",
    ]);
    expect(apt.calls).toEqual([
      ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=300", "update", "-qq"],
      [
        ...["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=300"],
        ...["install", "-y", "-qq", "--no-install-recommends", "openssh-client", "vagrant"],
      ],
    ]);
    expect(r.installed.map((t) => t.name)).toEqual(["ssh", "ssh-keygen", "vagrant"]);
    expect(r.missing).toEqual([]);
    // A second setup in the same process (the integration project's, after the unit project's) does
    // not update the lists again.
    apt.calls.length = 0;
    await ensureHostTools([tool("ansible-lint", "ansible-lint")], progress, {
      host: debianRoot,
      runner: apt.runner,
      present: apt.present,
      aptGet: true,
    });
    expect(apt.calls.map((c) => c[5])).toEqual(["install"]);
  });

  it("not root but sudo -n works: the same through sudo -n, DEBIAN_FRONTEND set past sudo's env reset", async () => {
    const { lines, progress } = recorder();
    const apt = fakeApt();
    const r = await ensureHostTools([tool("docker", "docker.io", { withRecommends: true })], progress, {
      host: debianUser,
      sudo: async () => true,
      runner: apt.runner,
      present: apt.present,
      aptGet: true,
    });
    expect(lines).toEqual([
      "step: installing docker.io for docker tests (docker is missing; apt-get through sudo -n)",
    ]);
    expect(apt.calls).toEqual([
      [
        "sudo",
        "-n",
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "-o",
        "DPkg::Lock::Timeout=300",
        "update",
        "-qq",
      ],
      // docker.io with its recommends (ca-certificates, to pull over TLS).
      ...[
        [
          "sudo",
          "-n",
          "env",
          "DEBIAN_FRONTEND=noninteractive",
          "apt-get",
          "-o",
          "DPkg::Lock::Timeout=300",
          "install",
          "-y",
          "-qq",
          "docker.io",
        ],
      ],
    ]);
    expect(r.installed.map((t) => t.name)).toEqual(["docker"]);
  });

  it("neither root nor sudo: one line per tool saying what to install, nothing run", async () => {
    const { lines, progress } = recorder();
    const apt = fakeApt();
    const r = await ensureHostTools([tool("chromium", "chromium"), tool("vagrant", "vagrant")], progress, {
      host: debianUser,
      sudo: async () => false,
      runner: apt.runner,
      present: apt.present,
      aptGet: true,
    });
    expect(apt.calls).toEqual([]);
    expect(lines).toEqual([
      "warn: chromium is missing (chromium tests): install it (apt-get install chromium as root); not root, and `sudo -n` needs a password, so firedrill does not; those tests are reported skipped",
      "warn: vagrant is missing (vagrant tests): install it (apt-get install vagrant as root); not root, and `sudo -n` needs a password, so firedrill does not; those tests are reported skipped",
    ]);
    expect(r.missing.map((m) => m.tool.name)).toEqual(["chromium", "vagrant"]);
  });

  it("not Debian or Ubuntu: says what to install, never asks sudo", async () => {
    const { lines, progress } = recorder();
    const r = await ensureHostTools([tool("vagrant", "vagrant")], progress, {
      host: { isRoot: true, isDebianLike: false, dockerHostSet: false },
      present: async () => false,
      sudo: async () => {
        throw new Error("sudo asked");
      },
      aptGet: true,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn: vagrant is missing .*not Debian or Ubuntu/);
    expect(r.missing).toHaveLength(1);
  });

  it("a package this release lacks: the others still install, it is reported with apt's reason", async () => {
    const { lines, progress } = recorder();
    const apt = fakeApt({ unknown: ["vagrant"] });
    const r = await ensureHostTools(
      [tool("ansible-lint", "ansible-lint"), tool("vagrant", "vagrant")],
      progress,
      {
        host: debianRoot,
        runner: apt.runner,
        present: apt.present,
        aptGet: true,
      },
    );
    expect(apt.calls.map((c) => c.slice(5).filter((a) => !a.startsWith("-")))).toEqual([
      ["update"],
      ["install", "ansible-lint", "vagrant"],
      ["install", "ansible-lint"],
      ["install", "vagrant"],
    ]);
    expect(r.installed.map((t) => t.name)).toEqual(["ansible-lint"]);
    expect(r.missing.map((m) => m.tool.name)).toEqual(["vagrant"]);
    expect(lines.at(-1)).toMatch(
      /^warn: vagrant could not be installed \(vagrant tests\): .*Unable to locate package vagrant.*reported skipped$/,
    );
  });

  it("a failed apt-get update: every missing tool reported, no install tried", async () => {
    const { progress } = recorder();
    const apt = fakeApt({ updateFails: true });
    const r = await ensureHostTools([tool("a", "pa")], progress, {
      host: debianRoot,
      runner: apt.runner,
      present: apt.present,
      aptGet: true,
    });
    expect(apt.calls).toHaveLength(1);
    expect(r.missing[0]!.why).toContain("E: no network");
  });
});

describe("installVia", () => {
  it("root, then sudo, on Debian or Ubuntu with apt-get only", () => {
    expect(installVia(debianRoot, false, true)).toEqual({ via: "root" });
    expect(installVia(debianUser, true, true)).toEqual({ via: "sudo" });
    expect(installVia(debianUser, false, true).via).toBe("none");
    expect(installVia(debianRoot, true, false)).toEqual({ via: "none", why: "no apt-get on PATH" });
  });
});

describe("aptInstall", () => {
  it("sudo prefixes the same command", () => {
    expect(aptArgv("sudo", ["update"])).toEqual(["sudo", "-n", ...aptArgv("root", ["update"])]);
  });

  it("nothing to install runs nothing", async () => {
    expect(await aptInstall("root", [], { runner: async () => Promise.reject(new Error("ran")) })).toEqual(
      [],
    );
  });
});

describe("the tool lists", () => {
  it("name what the unit and integration tests skip without, each with its Debian package", () => {
    const pairs = (l: readonly HostTool[]) => l.map((t) => `${t.name}=${t.pkg}`);
    expect(pairs(UNIT_TOOLS)).toEqual([
      "chromium=chromium",
      "ansible-playbook=ansible",
      "ansible-lint=ansible-lint",
      "vagrant=vagrant",
    ]);
    expect(pairs(INTEGRATION_TOOLS)).toEqual([
      "ansible-playbook=ansible",
      "python3-docker=python3-docker",
      "ssh=openssh-client",
      "ssh-keygen=openssh-client",
      "docker=docker.io",
    ]);
    // Debian's chromium, at the path the report test launches.
    expect(UNIT_TOOLS[0]!.check).toEqual({ file: "/usr/bin/chromium" });
  });

  it("PATH lookups need no subprocess and agree with the shell", async () => {
    expect(onPathSync("sh")).toBe(await onPath("sh"));
    expect(onPathSync("no-such-tool-firedrill")).toBe(false);
    expect(onPathSync("sh", { PATH: "" })).toBe(false);
  });

  it("dpkg-query answers for an installed package, and not for an unknown one", async (ctx) => {
    if (!(await onPath("dpkg-query"))) return ctx.skip("no dpkg-query here (not Debian or Ubuntu)");
    expect(await dpkgInstalled("dpkg")).toBe(true);
    expect(await dpkgInstalled("no-such-package-firedrill")).toBe(false);
  });
});
