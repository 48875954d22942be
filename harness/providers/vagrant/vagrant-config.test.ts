/**
 * `vagrant validate` of cluster/vagrant/Vagrantfile, shown able to fail on a planted error. Validation
 * ignores the provider (`--ignore-provider`): without VirtualBox or libvirt, plain `vagrant validate`
 * stops at "No usable default provider could be found" before reading the machines' settings.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../../settings/settings.ts";
import { onPath, run as runTool } from "../../util/run.ts";

const clusterDir = resolveSettings().clusterDir;
const vagrantDir = path.join(clusterDir, "vagrant");

describe("cluster/vagrant/Vagrantfile passes vagrant validate", () => {
  let skip: string | undefined;
  let tmp: string;
  /** Vagrant's own state (boxes, plugins, .vagrant/) goes to a temp folder, never into the checkout. */
  const validate = (cwd: string) =>
    runTool(["vagrant", "validate", "--ignore-provider"], {
      cwd,
      env: {
        VAGRANT_CWD: cwd,
        VAGRANT_HOME: path.join(tmp, "home"),
        VAGRANT_DOTFILE_PATH: path.join(tmp, "dotfile"),
        VAGRANT_CHECKPOINT_DISABLE: "1",
        NO_COLOR: "1",
      },
      timeoutMs: 60_000,
    });

  beforeAll(async () => {
    if (!(await onPath("vagrant"))) skip = "vagrant is not installed (apt-get install vagrant)";
    tmp = mkdtempSync(path.join(os.tmpdir(), "firedrill-vagrant-"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("vagrant validate --ignore-provider accepts the Vagrantfile", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const r = await validate(vagrantDir);
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain("Vagrantfile validated successfully.");
    expect(existsSync(path.join(vagrantDir, ".vagrant"))).toBe(false);
  }, 90_000);

  it("vagrant validate fails on a planted mistake in a copy of the Vagrantfile", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const copy = path.join(tmp, "planted", "vagrant");
    mkdirSync(copy, { recursive: true });
    copyFileSync(path.join(vagrantDir, "servers.yml"), path.join(copy, "servers.yml"));
    symlinkSync(path.join(clusterDir, "ansible"), path.join(tmp, "planted", "ansible"));
    const original = readFileSync(path.join(vagrantDir, "Vagrantfile"), "utf8");
    expect(original).toContain("vm.vm.hostname = name");
    writeFileSync(
      path.join(copy, "Vagrantfile"),
      original.replace("vm.vm.hostname = name", "vm.vm.hostnam = name"),
    );
    const r = await validate(copy);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain("The following settings shouldn't exist: hostnam");
  }, 90_000);
});

/**
 * The machines' configuration as Vagrant computes it for each provider (its Ruby library, as
 * `vagrant up` would, provider overrides included; no provider plugin needed): which machine runs
 * engine.yml, and with which provider's name, the inventory's key folder.
 */
describe("cluster/vagrant/Vagrantfile provisions the engines with the provider that boots the VMs", () => {
  const script = `
    require "json"; require "tmpdir"; require "vagrant"
    home = Dir.mktmpdir
    env = Vagrant::Environment.new(cwd: ARGV[0], home_path: home, local_data_path: File.join(home, "dot"))
    out = %w[virtualbox libvirt].to_h do |provider|
      [provider, env.vagrantfile.machine_names.to_h do |m|
        config = env.vagrantfile.machine_config(m, provider.to_sym, nil, nil, false)[:config]
        [m, config.vm.provisioners.map { |p| [p.type.to_s, File.basename(p.config.playbook.to_s), p.config.extra_vars] }]
      end]
    end
    puts JSON.generate(out)
    FileUtils.remove_entry(home)`;

  it("only node2, the last to boot, runs engine.yml, with firedrill_vagrant_provider set to the provider in use", async (ctx) => {
    if (!(await onPath("ruby"))) return ctx.skip("ruby is not on PATH (Vagrant's own Ruby cannot be loaded)");
    const r = await runTool(["ruby", "-e", script, vagrantDir], {
      cwd: vagrantDir,
      env: { VAGRANT_CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
      timeoutMs: 60_000,
    });
    if (r.exitCode !== 0 && /cannot load such file -- vagrant/.test(r.output))
      return ctx.skip("Vagrant's Ruby library cannot be loaded by the ruby on PATH");
    expect(r.exitCode, r.output).toBe(0);
    const configs = JSON.parse(r.output.trim().split("\n").at(-1)!) as Record<
      string,
      Record<string, unknown>
    >;
    for (const provider of ["virtualbox", "libvirt"])
      expect(configs[provider], provider).toEqual({
        control1: [],
        control2: [],
        node1: [],
        node2: [["ansible", "engine.yml", { firedrill_vagrant_provider: provider }]],
      });
    expect(existsSync(path.join(vagrantDir, ".vagrant"))).toBe(false);
  }, 90_000);
});
